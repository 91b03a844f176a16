/*
 * LLM Test Bench plugin SDK for C, plugin ABI 1 (docs/plugins.md).
 *
 * Build a plugin with Debian's clang, lld and wasi-libc:
 *   clang --target=wasm32-wasi -O2 -mbulk-memory -mexec-model=reactor -I sdk/c \
 *     -o my_plugin.wasm my_plugin.c sdk/c/ltb_plugin.c
 *
 * The host writes the call's input (JSON) into memory it gets from ltb_alloc, calls the entry
 * point with its address and length, and reads the answer (JSON) from the address and length
 * packed in the returned 64-bit value. Everything the SDK allocates during a call lives in an
 * arena that the next ltb_alloc frees, so a plugin never frees anything itself.
 */
#ifndef LTB_PLUGIN_H
#define LTB_PLUGIN_H

#include <stddef.h>
#include <stdint.h>

#define LTB_PLUGIN_ABI_VERSION 1

#define LTB_EXPORT(name) __attribute__((export_name(#name)))

/* Declares an evaluator: `function` gets the input object and returns the answer. */
#define LTB_PLUGIN_EVALUATOR(function)                                                        \
  LTB_EXPORT(ltb_evaluate) uint64_t ltb_evaluate(const char *input, uint32_t length) {        \
    return ltb_run(function, input, length);                                                  \
  }
/* Declares a request transform. */
#define LTB_PLUGIN_REQUEST_TRANSFORM(function)                                                \
  LTB_EXPORT(ltb_transform_request) uint64_t ltb_transform_request(const char *input,         \
                                                                   uint32_t length) {         \
    return ltb_run(function, input, length);                                                  \
  }
/* Declares a response transform. */
#define LTB_PLUGIN_RESPONSE_TRANSFORM(function)                                               \
  LTB_EXPORT(ltb_transform_response) uint64_t ltb_transform_response(const char *input,       \
                                                                     uint32_t length) {       \
    return ltb_run(function, input, length);                                                  \
  }

/* A slice of the input: a JSON value as raw text (length 0 when absent). */
typedef struct {
  const char *data;
  size_t length;
} ltb_span;

/* A growing output buffer (arena memory). */
typedef struct {
  char *data;
  size_t length;
  size_t capacity;
} ltb_buffer;

/* Memory that lives until the next call. */
void *ltb_arena_alloc(size_t size);

/* The value of `key` in the JSON object `object` (length 0 when absent or not an object). */
ltb_span ltb_json_get(ltb_span object, const char *key);
/* Steps through a JSON array: start with *cursor = the array; returns 0 after the last item. */
int ltb_json_next(ltb_span *cursor, ltb_span *item);
/* The text of a JSON string, unescaped and NUL-terminated (NULL when `value` is not a string). */
char *ltb_json_string(ltb_span value, size_t *length);
/* A JSON number, or `fallback` when `value` is not one. */
double ltb_json_number(ltb_span value, double fallback);
/* Whether `value` is the literal `literal` (true, false, null). */
int ltb_json_is(ltb_span value, const char *literal);
/* Whether `value` is a JSON object, an array, a string. */
int ltb_json_is_object(ltb_span value);
int ltb_json_is_array(ltb_span value);
int ltb_json_is_string(ltb_span value);
/* Skips whitespace; returns the span from the first value's start to its end (length 0 when
 * `text` does not start with a valid JSON value). */
ltb_span ltb_json_value(ltb_span text);

void ltb_buffer_append(ltb_buffer *buffer, const char *data, size_t length);
void ltb_buffer_text(ltb_buffer *buffer, const char *text);
/* Appends `text` as a quoted, escaped JSON string. */
void ltb_buffer_string(ltb_buffer *buffer, const char *text, size_t length);
void ltb_buffer_number(ltb_buffer *buffer, double value);
/* The answer the entry point returns: the buffer's address and length, packed. */
uint64_t ltb_answer(const ltb_buffer *buffer);
/* An answer saying the call failed with `message` (an error verdict, never a zero score). */
uint64_t ltb_error(const char *message);

/* Runs `function` on the parsed input; the SDK's entry macros call it. */
uint64_t ltb_run(uint64_t (*function)(ltb_span input), const char *input, uint32_t length);

#endif
