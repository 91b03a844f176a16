#ifndef LTB_CVIPSLOADER_H
#define LTB_CVIPSLOADER_H

#include <stddef.h>

/// Loads libvips (libvips.so.42) at run time and initialises it, once; 0 when it is usable,
/// else -1 with `*error` naming what failed (a static string).
int ltb_vips_load(const char **error);

/// Shrinks the image in `buffer` (any format libvips reads) to fit `max_edge` pixels on its
/// longer side (never enlarging) and encodes it with `suffix` (".jpg[Q=85]", ".png", ...).
/// On success returns 0 with the encoded bytes in `*out` (free them with ltb_vips_free) and the
/// new size in `*width` and `*height`; on failure returns -1 with libvips' message copied into
/// `message` (at most `message_size` bytes, NUL-terminated).
int ltb_vips_shrink(const void *buffer, size_t length, int max_edge, const char *suffix, void **out,
                    size_t *out_length, int *width, int *height, char *message, size_t message_size);

/// Frees bytes ltb_vips_shrink returned.
void ltb_vips_free(void *bytes);

#endif
