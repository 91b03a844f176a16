// libvips is opened with dlopen so that ltb runs without it (the container image does not ship
// it): only shrinking an image over a vendor's limit needs it. Its operations take options as
// NULL-terminated variadic lists, which Swift cannot call; this file makes those calls.
#include "CVipsLoader.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef int (*init_fn)(const char *);
typedef int (*thumbnail_fn)(void *, size_t, void **, int, ...);
typedef int (*write_fn)(void *, const char *, void **, size_t *, ...);
typedef int (*dimension_fn)(const void *);
typedef const char *(*error_fn)(void);
typedef void (*clear_fn)(void);
typedef void (*unref_fn)(void *);
typedef void (*free_fn)(void *);

static struct {
  thumbnail_fn thumbnail;
  write_fn write;
  dimension_fn width;
  dimension_fn height;
  error_fn error_buffer;
  clear_fn error_clear;
  unref_fn unref;
  free_fn free;
  const char *failure;
} vips;

static pthread_once_t once = PTHREAD_ONCE_INIT;

// VIPS_SIZE_DOWN in libvips' VipsSize.
enum { SIZE_DOWN = 2 };

static char failure_text[512];

static void load(void) {
  // LTB_LIBVIPS names another build of the library (a path, or a soname on the search path).
  const char *name = getenv("LTB_LIBVIPS");
  if (name == NULL || *name == '\0') name = "libvips.so.42";
  void *library = dlopen(name, RTLD_NOW | RTLD_LOCAL);
  if (library == NULL) {
    snprintf(failure_text, sizeof failure_text, "%s is not installed (%s)", name, dlerror());
    vips.failure = failure_text;
    return;
  }
  void *gobject = dlopen("libgobject-2.0.so.0", RTLD_NOW | RTLD_LOCAL);
  void *glib = dlopen("libglib-2.0.so.0", RTLD_NOW | RTLD_LOCAL);
  init_fn init = (init_fn)dlsym(library, "vips_init");
  vips.thumbnail = (thumbnail_fn)dlsym(library, "vips_thumbnail_buffer");
  vips.write = (write_fn)dlsym(library, "vips_image_write_to_buffer");
  vips.width = (dimension_fn)dlsym(library, "vips_image_get_width");
  vips.height = (dimension_fn)dlsym(library, "vips_image_get_height");
  vips.error_buffer = (error_fn)dlsym(library, "vips_error_buffer");
  vips.error_clear = (clear_fn)dlsym(library, "vips_error_clear");
  vips.unref = gobject ? (unref_fn)dlsym(gobject, "g_object_unref") : NULL;
  vips.free = glib ? (free_fn)dlsym(glib, "g_free") : NULL;
  if (!init || !vips.thumbnail || !vips.write || !vips.width || !vips.height || !vips.error_buffer ||
      !vips.error_clear || !vips.unref || !vips.free) {
    vips.failure = "libvips.so.42 lacks an operation ltb calls";
    return;
  }
  if (init("ltb") != 0) vips.failure = "libvips did not initialise";
}

int ltb_vips_load(const char **error) {
  pthread_once(&once, load);
  if (vips.failure != NULL) {
    if (error) *error = vips.failure;
    return -1;
  }
  return 0;
}

static int fail(char *message, size_t size) {
  if (message && size > 0) {
    snprintf(message, size, "%s", vips.error_buffer());
  }
  vips.error_clear();
  return -1;
}

int ltb_vips_shrink(const void *buffer, size_t length, int max_edge, const char *suffix, void **out,
                    size_t *out_length, int *width, int *height, char *message, size_t message_size) {
  const char *error = NULL;
  if (ltb_vips_load(&error) != 0) {
    if (message && message_size > 0) snprintf(message, message_size, "%s", error);
    return -1;
  }
  void *image = NULL;
  if (vips.thumbnail((void *)buffer, length, &image, max_edge, "height", max_edge, "size", SIZE_DOWN,
                     NULL) != 0) {
    return fail(message, message_size);
  }
  *width = vips.width(image);
  *height = vips.height(image);
  int status = vips.write(image, suffix, out, out_length, NULL);
  vips.unref(image);
  if (status != 0) return fail(message, message_size);
  return 0;
}

void ltb_vips_free(void *bytes) {
  if (bytes != NULL && vips.free != NULL) vips.free(bytes);
}
