/* LLM Test Bench plugin SDK for C: the ABI exports, an arena, and a small JSON reader and
 * writer (ltb_plugin.h). */
#include "ltb_plugin.h"

#include <stdlib.h>
#include <string.h>

/* The arena: a bump region reused by every call, plus blocks from malloc for what does not
 * fit; the next ltb_alloc releases both. */
#define LTB_REGION_SIZE (256 * 1024)
static char *region;
static size_t region_used;
static void **blocks;
static size_t block_count, block_capacity;

static void arena_reset(void) {
  for (size_t i = 0; i < block_count; i++) free(blocks[i]);
  block_count = 0;
  region_used = 0;
}

void *ltb_arena_alloc(size_t size) {
  size_t rounded = (size + 15) & ~(size_t)15;
  if (!region) region = malloc(LTB_REGION_SIZE);
  if (region && rounded <= LTB_REGION_SIZE - region_used) {
    void *block = region + region_used;
    region_used += rounded ? rounded : 16;
    return block;
  }
  if (block_count == block_capacity) {
    size_t capacity = block_capacity ? block_capacity * 2 : 64;
    void **grown = realloc(blocks, capacity * sizeof(void *));
    if (!grown) return NULL;
    blocks = grown;
    block_capacity = capacity;
  }
  void *block = malloc(size ? size : 1);
  if (block) blocks[block_count++] = block;
  return block;
}

LTB_EXPORT(ltb_abi_version) int32_t ltb_abi_version(void) { return LTB_PLUGIN_ABI_VERSION; }

LTB_EXPORT(ltb_alloc) void *ltb_alloc(uint32_t size) {
  arena_reset();
  return ltb_arena_alloc(size);
}

/* JSON reading. */

/* The first '"' or backslash in [p, end), or end: eight bytes at a time (a byte is a match when
 * it XORs to zero with the one sought; the lowest flagged byte of a word is exact). */
static const char *find_quote_or_backslash(const char *p, const char *end) {
  const uint64_t ones = 0x0101010101010101ull, high = 0x8080808080808080ull;
  while (end - p >= 8) {
    uint64_t word;
    memcpy(&word, p, 8);
    uint64_t quote = word ^ (ones * '"'), backslash = word ^ (ones * '\\');
    uint64_t found = (((quote - ones) & ~quote) | ((backslash - ones) & ~backslash)) & high;
    if (found) return p + (__builtin_ctzll(found) >> 3);
    p += 8;
  }
  while (p < end && *p != '"' && *p != '\\') p++;
  return p;
}

static const char *skip_space(const char *p, const char *end) {
  while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')) p++;
  return p;
}

/* The end of the value starting at p (NULL when it is not valid). */
static const char *skip_value(const char *p, const char *end, int depth) {
  if (depth > 256) return NULL;
  p = skip_space(p, end);
  if (p >= end) return NULL;
  switch (*p) {
  case '"':
    /* The closing quote: every backslash escapes the byte after it. */
    for (p++; p < end;) {
      const char *stop = find_quote_or_backslash(p, end);
      if (stop >= end) return NULL;
      if (*stop == '"') return stop + 1;
      p = stop + 2;
    }
    return NULL;
  case '{':
  case '[': {
    char close = *p == '{' ? '}' : ']';
    int object = *p == '{';
    p = skip_space(p + 1, end);
    if (p < end && *p == close) return p + 1;
    while (p < end) {
      if (object) {
        p = skip_value(p, end, depth + 1); /* the key */
        if (!p) return NULL;
        p = skip_space(p, end);
        if (p >= end || *p != ':') return NULL;
        p++;
      }
      p = skip_value(p, end, depth + 1);
      if (!p) return NULL;
      p = skip_space(p, end);
      if (p < end && *p == ',') {
        p++;
        continue;
      }
      if (p < end && *p == close) return p + 1;
      return NULL;
    }
    return NULL;
  }
  default: {
    const char *start = p;
    while (p < end && (strchr("+-.eE", *p) || (*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'z'))) p++;
    return p > start ? p : NULL;
  }
  }
}

ltb_span ltb_json_value(ltb_span text) {
  const char *end = text.data + text.length;
  const char *start = skip_space(text.data, end);
  const char *stop = skip_value(start, end, 0);
  ltb_span value = {start, stop ? (size_t)(stop - start) : 0};
  return value;
}

/* The call's input object, indexed once by ltb_run: its top-level keys and values. */
#define LTB_INDEX_SIZE 32
static struct {
  const char *data;
  size_t length, count;
  ltb_span keys[LTB_INDEX_SIZE], values[LTB_INDEX_SIZE];
} input_index;

static ltb_span scan_get(ltb_span object, const char *key);

ltb_span ltb_json_get(ltb_span object, const char *key) {
  if (object.data == input_index.data && object.length == input_index.length) {
    size_t key_length = strlen(key);
    for (size_t i = 0; i < input_index.count; i++) {
      if (input_index.keys[i].length == key_length && memcmp(input_index.keys[i].data, key, key_length) == 0) {
        return input_index.values[i];
      }
    }
    ltb_span none = {object.data, 0};
    return none;
  }
  return scan_get(object, key);
}

/* Indexes the top-level members of `object`; whether it is a valid object (one with more than
 * LTB_INDEX_SIZE members is valid but not indexed: lookups scan it). */
static int index_input(ltb_span object) {
  input_index.data = NULL;
  input_index.count = 0;
  const char *p = object.data, *end = object.data + object.length;
  p = skip_space(p, end);
  if (p >= end || *p != '{') return 0;
  p = skip_space(p + 1, end);
  size_t count = 0;
  while (p < end && *p == '"') {
    if (count == LTB_INDEX_SIZE) return ltb_json_is_object(ltb_json_value(object));
    const char *key_end = skip_value(p, end, 1);
    if (!key_end) return 0;
    ltb_span key = {p + 1, (size_t)(key_end - p - 2)};
    p = skip_space(key_end, end);
    if (p >= end || *p != ':') return 0;
    p = skip_space(p + 1, end);
    const char *value_end = skip_value(p, end, 1);
    if (!value_end) return 0;
    input_index.keys[count] = key;
    input_index.values[count].data = p;
    input_index.values[count].length = (size_t)(value_end - p);
    count++;
    p = skip_space(value_end, end);
    if (p < end && *p == ',') {
      p = skip_space(p + 1, end);
    } else {
      break;
    }
  }
  if (p >= end || *p != '}') return 0;
  input_index.count = count;
  input_index.data = object.data;
  input_index.length = object.length;
  return 1;
}

static ltb_span scan_get(ltb_span object, const char *key) {
  ltb_span none = {object.data, 0};
  const char *p = object.data, *end = object.data + object.length;
  p = skip_space(p, end);
  if (p >= end || *p != '{') return none;
  p = skip_space(p + 1, end);
  size_t key_length = strlen(key);
  while (p < end && *p == '"') {
    const char *key_end = skip_value(p, end, 1);
    if (!key_end) return none;
    int match = (size_t)(key_end - p - 2) == key_length && memcmp(p + 1, key, key_length) == 0;
    p = skip_space(key_end, end);
    if (p >= end || *p != ':') return none;
    p = skip_space(p + 1, end);
    const char *value_end = skip_value(p, end, 1);
    if (!value_end) return none;
    if (match) {
      ltb_span value = {p, (size_t)(value_end - p)};
      return value;
    }
    p = skip_space(value_end, end);
    if (p < end && *p == ',') p = skip_space(p + 1, end);
  }
  return none;
}

int ltb_json_next(ltb_span *cursor, ltb_span *item) {
  const char *p = cursor->data, *end = cursor->data + cursor->length;
  p = skip_space(p, end);
  if (p < end && (*p == '[' || *p == ',')) p = skip_space(p + 1, end);
  if (p >= end || *p == ']') return 0;
  const char *stop = skip_value(p, end, 1);
  if (!stop) return 0;
  item->data = p;
  item->length = (size_t)(stop - p);
  cursor->data = stop;
  cursor->length = (size_t)(end - stop);
  return 1;
}

static void put_utf8(char **out, uint32_t code) {
  char *o = *out;
  if (code < 0x80) {
    *o++ = (char)code;
  } else if (code < 0x800) {
    *o++ = (char)(0xC0 | (code >> 6));
    *o++ = (char)(0x80 | (code & 0x3F));
  } else if (code < 0x10000) {
    *o++ = (char)(0xE0 | (code >> 12));
    *o++ = (char)(0x80 | ((code >> 6) & 0x3F));
    *o++ = (char)(0x80 | (code & 0x3F));
  } else {
    *o++ = (char)(0xF0 | (code >> 18));
    *o++ = (char)(0x80 | ((code >> 12) & 0x3F));
    *o++ = (char)(0x80 | ((code >> 6) & 0x3F));
    *o++ = (char)(0x80 | (code & 0x3F));
  }
  *out = o;
}

static uint32_t hex4(const char *p) {
  uint32_t value = 0;
  for (int i = 0; i < 4; i++) {
    char c = p[i];
    value = value * 16 + (uint32_t)(c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : 0);
  }
  return value;
}

char *ltb_json_string(ltb_span value, size_t *length) {
  if (value.length < 2 || value.data[0] != '"') return NULL;
  char *text = ltb_arena_alloc(value.length);
  if (!text) return NULL;
  char *o = text;
  const char *p = value.data + 1, *end = value.data + value.length - 1;
  /* Most strings have no escapes (nor quotes, inside a valid string): copied whole. */
  if (find_quote_or_backslash(p, end) == end) {
    memcpy(text, p, (size_t)(end - p));
    text[end - p] = 0;
    if (length) *length = (size_t)(end - p);
    return text;
  }
  while (p < end) {
    if (*p != '\\') {
      *o++ = *p++;
      continue;
    }
    p++;
    if (p >= end) break;
    char c = *p++;
    switch (c) {
    case 'n': *o++ = '\n'; break;
    case 't': *o++ = '\t'; break;
    case 'r': *o++ = '\r'; break;
    case 'b': *o++ = '\b'; break;
    case 'f': *o++ = '\f'; break;
    case 'u': {
      if (end - p < 4) break;
      uint32_t code = hex4(p);
      p += 4;
      if (code >= 0xD800 && code < 0xDC00 && end - p >= 6 && p[0] == '\\' && p[1] == 'u') {
        uint32_t low = hex4(p + 2);
        if (low >= 0xDC00 && low < 0xE000) {
          code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00);
          p += 6;
        }
      }
      put_utf8(&o, code);
      break;
    }
    default: *o++ = c; break;
    }
  }
  *o = 0;
  if (length) *length = (size_t)(o - text);
  return text;
}

double ltb_json_number(ltb_span value, double fallback) {
  if (value.length == 0 || !(value.data[0] == '-' || (value.data[0] >= '0' && value.data[0] <= '9'))) return fallback;
  char text[64];
  size_t n = value.length < sizeof(text) - 1 ? value.length : sizeof(text) - 1;
  memcpy(text, value.data, n);
  text[n] = 0;
  return strtod(text, NULL);
}

int ltb_json_is(ltb_span value, const char *literal) {
  size_t n = strlen(literal);
  return value.length == n && memcmp(value.data, literal, n) == 0;
}

int ltb_json_is_object(ltb_span value) { return value.length >= 2 && value.data[0] == '{'; }
int ltb_json_is_array(ltb_span value) { return value.length >= 2 && value.data[0] == '['; }
int ltb_json_is_string(ltb_span value) { return value.length >= 2 && value.data[0] == '"'; }

/* JSON writing. */

void ltb_buffer_append(ltb_buffer *buffer, const char *data, size_t length) {
  if (buffer->length + length > buffer->capacity) {
    size_t capacity = buffer->capacity ? buffer->capacity : 256;
    while (capacity < buffer->length + length) capacity *= 2;
    char *grown = ltb_arena_alloc(capacity);
    if (!grown) return;
    if (buffer->length) memcpy(grown, buffer->data, buffer->length);
    buffer->data = grown;
    buffer->capacity = capacity;
  }
  memcpy(buffer->data + buffer->length, data, length);
  buffer->length += length;
}

void ltb_buffer_text(ltb_buffer *buffer, const char *text) { ltb_buffer_append(buffer, text, strlen(text)); }

void ltb_buffer_string(ltb_buffer *buffer, const char *text, size_t length) {
  static const char hex[] = "0123456789abcdef";
  ltb_buffer_append(buffer, "\"", 1);
  size_t run = 0; /* the start of the bytes not yet appended: copied in runs between escapes */
  for (size_t i = 0; i < length; i++) {
    unsigned char c = (unsigned char)text[i];
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    ltb_buffer_append(buffer, text + run, i - run);
    run = i + 1;
    char escaped[6] = {'\\', (char)c, 0, 0, 0, 0};
    size_t size = 2;
    if (c == '\n') {
      escaped[1] = 'n';
    } else if (c < 0x20) {
      escaped[1] = 'u';
      escaped[2] = '0';
      escaped[3] = '0';
      escaped[4] = hex[c >> 4];
      escaped[5] = hex[c & 15];
      size = 6;
    }
    ltb_buffer_append(buffer, escaped, size);
  }
  ltb_buffer_append(buffer, text + run, length - run);
  ltb_buffer_append(buffer, "\"", 1);
}

/* Fixed-point with up to 9 decimals (no printf: it would pull in stdio and most of its cost). */
void ltb_buffer_number(ltb_buffer *buffer, double value) {
  char text[48];
  size_t n = 0;
  if (value != value) value = 0; /* NaN is not JSON */
  if (value < 0) {
    text[n++] = '-';
    value = -value;
  }
  if (value > 1e15) value = 1e15;
  uint64_t scaled = (uint64_t)(value * 1e9 + 0.5);
  uint64_t whole = scaled / 1000000000u, fraction = scaled % 1000000000u;
  char digits[24];
  size_t count = 0;
  do {
    digits[count++] = (char)('0' + whole % 10);
    whole /= 10;
  } while (whole > 0);
  while (count > 0) text[n++] = digits[--count];
  if (fraction > 0) {
    text[n++] = '.';
    int places = 9;
    while (fraction % 10 == 0) {
      fraction /= 10;
      places--;
    }
    for (int i = places - 1; i >= 0; i--) {
      text[n + (size_t)i] = (char)('0' + fraction % 10);
      fraction /= 10;
    }
    n += (size_t)places;
  }
  ltb_buffer_append(buffer, text, n);
}

uint64_t ltb_answer(const ltb_buffer *buffer) {
  return ((uint64_t)(uintptr_t)buffer->data << 32) | (uint64_t)buffer->length;
}

uint64_t ltb_error(const char *message) {
  ltb_buffer buffer = {0};
  ltb_buffer_text(&buffer, "{\"error\":");
  ltb_buffer_string(&buffer, message, strlen(message));
  ltb_buffer_text(&buffer, "}");
  return ltb_answer(&buffer);
}

uint64_t ltb_run(uint64_t (*function)(ltb_span input), const char *input, uint32_t length) {
  ltb_span span = {input, length};
  /* Indexing reads every top-level member, so it also checks the input is an object. */
  if (!index_input(span)) return ltb_error("the input is not a JSON object");
  return function(span);
}
