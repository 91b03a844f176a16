/* keyword-coverage: the share of the configured keywords the answer mentions.
 *
 * Configuration: {"keywords": ["Paris", "France"], "case_sensitive": false, "min_coverage": 1.0}
 * An assertion may give its own keywords as its value and its own threshold:
 *   { type: plugin:keyword-coverage, value: [Paris, Seine], threshold: 0.5 }
 * Score: matched / keywords; passes when the score reaches the threshold (min_coverage). */
#include <ltb_plugin.h>
#include <stdlib.h>
#include <string.h>

static char lower(char c) { return c >= 'A' && c <= 'Z' ? (char)(c + 32) : c; }

/* Lowercases `text` in place (ASCII letters), eight bytes at a time: a byte is in A..Z when
 * adding 0x80-'A' sets its high bit and adding 0x80-'Z'-1 does not (computed on the low seven
 * bits, so no carry crosses bytes; bytes >= 0x80, UTF-8, are left alone). */
static void lowercase(char *text, size_t length) {
  const uint64_t ones = 0x0101010101010101ull, high = 0x8080808080808080ull;
  size_t i = 0;
  for (; i + 8 <= length; i += 8) {
    uint64_t word;
    memcpy(&word, text + i, 8);
    uint64_t low = word & ~high;
    uint64_t upper = (low + (0x80 - 'A') * ones) & ~(low + (0x80 - 'Z' - 1) * ones) & ~word & high;
    word |= upper >> 2;
    memcpy(text + i, &word, 8);
  }
  for (; i < length; i++) text[i] = lower(text[i]);
}

static int contains(const char *text, size_t text_length, const char *word, size_t word_length) {
  if (word_length == 0) return 1;
  const char *end = text + text_length;
  for (const char *p = text; (size_t)(end - p) >= word_length; p++) {
    p = memchr(p, word[0], (size_t)(end - p) - word_length + 1);
    if (!p) return 0;
    if (memcmp(p, word, word_length) == 0) return 1;
  }
  return 0;
}

/* One keyword: as configured (its JSON text, reported back verbatim) and as matched. */
typedef struct {
  char *json;
  size_t json_length;
  char *needle;
  size_t needle_length;
} keyword;

/* The keywords of the last configuration and assertion value seen, parsed and lowercased once:
 * an instance serves many calls with the same configuration (as the Swift metric is built once
 * from its keywords). Held in malloc'd memory, since every call resets the arena; `source` is
 * the configuration's text, a NUL, then the value's, compared byte for byte on each call. */
static struct {
  char *source;
  size_t source_length;
  keyword *items;
  size_t count;
  int sensitive;
  double min_coverage;
} parsed;

static void forget(void) {
  for (size_t i = 0; i < parsed.count; i++) {
    free(parsed.items[i].json);
    free(parsed.items[i].needle);
  }
  free(parsed.items);
  free(parsed.source);
  memset(&parsed, 0, sizeof parsed);
}

static char *copy(const char *data, size_t length) {
  char *text = malloc(length + 1);
  if (text) {
    memcpy(text, data, length);
    text[length] = 0;
  }
  return text;
}

/* Parses the keywords from `config` and `value` into `parsed`; NULL, or the error to answer. */
static const char *parse(ltb_span config, ltb_span value) {
  forget();
  ltb_span keywords = ltb_json_is_array(value) ? value : ltb_json_get(config, "keywords");
  if (!ltb_json_is_array(keywords)) return "no keywords: configure \"keywords\" or give the assertion a list value";
  size_t capacity = 0;
  ltb_span cursor = keywords, item;
  while (ltb_json_next(&cursor, &item)) capacity++;
  if (capacity == 0) return "the keyword list is empty";
  parsed.items = calloc(capacity, sizeof(keyword));
  if (!parsed.items) return "out of memory";
  parsed.sensitive = ltb_json_is(ltb_json_get(config, "case_sensitive"), "true");
  parsed.min_coverage = ltb_json_number(ltb_json_get(config, "min_coverage"), 1.0);
  cursor = keywords;
  while (ltb_json_next(&cursor, &item)) {
    size_t length = 0;
    char *word = ltb_json_string(item, &length);
    if (!word) {
      forget();
      return "every keyword must be a string";
    }
    keyword *entry = &parsed.items[parsed.count++];
    entry->json = copy(item.data, item.length);
    entry->json_length = item.length;
    entry->needle = copy(word, length);
    entry->needle_length = length;
    if (!entry->json || !entry->needle) {
      forget();
      return "out of memory";
    }
    if (!parsed.sensitive) lowercase(entry->needle, length);
  }
  /* Remembered last, so a failed parse is parsed (and reported) again next time. */
  parsed.source_length = config.length + 1 + value.length;
  parsed.source = malloc(parsed.source_length);
  if (!parsed.source) {
    forget();
    return "out of memory";
  }
  memcpy(parsed.source, config.data, config.length);
  parsed.source[config.length] = 0;
  memcpy(parsed.source + config.length + 1, value.data, value.length);
  return NULL;
}

static int unchanged(ltb_span config, ltb_span value) {
  return parsed.source && parsed.source_length == config.length + 1 + value.length &&
         memcmp(parsed.source, config.data, config.length) == 0 &&
         memcmp(parsed.source + config.length + 1, value.data, value.length) == 0;
}

static uint64_t evaluate(ltb_span input) {
  ltb_span config = ltb_json_get(input, "config");
  ltb_span value = ltb_json_get(input, "value");
  if (!unchanged(config, value)) {
    const char *problem = parse(config, value);
    if (problem) return ltb_error(problem);
  }
  double threshold = ltb_json_number(ltb_json_get(input, "threshold"), parsed.min_coverage);
  size_t output_length = 0;
  char *output = ltb_json_string(ltb_json_get(input, "output"), &output_length);
  if (!output) return ltb_error("the input has no output string");
  if (!parsed.sensitive) lowercase(output, output_length);

  ltb_buffer matched = {0}, missing = {0};
  ltb_buffer_text(&matched, "[");
  ltb_buffer_text(&missing, "[");
  size_t found = 0;
  for (size_t i = 0; i < parsed.count; i++) {
    const keyword *entry = &parsed.items[i];
    ltb_buffer *list = contains(output, output_length, entry->needle, entry->needle_length) ? &matched : &missing;
    if (list == &matched) found++;
    if (list->length > 1) ltb_buffer_text(list, ",");
    ltb_buffer_append(list, entry->json, entry->json_length);
  }
  ltb_buffer_text(&matched, "]");
  ltb_buffer_text(&missing, "]");
  double score = (double)found / (double)parsed.count;

  ltb_buffer answer = {0};
  ltb_buffer_text(&answer, "{\"score\":");
  ltb_buffer_number(&answer, score);
  ltb_buffer_text(&answer, score >= threshold ? ",\"passed\":true" : ",\"passed\":false");
  ltb_buffer_text(&answer, ",\"details\":{\"matched\":");
  ltb_buffer_append(&answer, matched.data, matched.length);
  ltb_buffer_text(&answer, ",\"missing\":");
  ltb_buffer_append(&answer, missing.data, missing.length);
  ltb_buffer_text(&answer, "}}");
  return ltb_answer(&answer);
}

LTB_PLUGIN_EVALUATOR(evaluate)
