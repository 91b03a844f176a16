/* keyword-coverage: the share of the configured keywords the answer mentions.
 *
 * Configuration: {"keywords": ["Paris", "France"], "case_sensitive": false, "min_coverage": 1.0}
 * An assertion may give its own keywords as its value and its own threshold:
 *   { type: plugin:keyword-coverage, value: [Paris, Seine], threshold: 0.5 }
 * Score: matched / keywords; passes when the score reaches the threshold (min_coverage). */
#include <ltb_plugin.h>
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

static uint64_t evaluate(ltb_span input) {
  ltb_span config = ltb_json_get(input, "config");
  ltb_span keywords = ltb_json_get(input, "value");
  if (!ltb_json_is_array(keywords)) keywords = ltb_json_get(config, "keywords");
  if (!ltb_json_is_array(keywords)) return ltb_error("no keywords: configure \"keywords\" or give the assertion a list value");
  int sensitive = ltb_json_is(ltb_json_get(config, "case_sensitive"), "true");
  double threshold = ltb_json_number(ltb_json_get(input, "threshold"), ltb_json_number(ltb_json_get(config, "min_coverage"), 1.0));
  size_t output_length = 0;
  char *output = ltb_json_string(ltb_json_get(input, "output"), &output_length);
  if (!output) return ltb_error("the input has no output string");
  if (!sensitive) lowercase(output, output_length);

  ltb_buffer matched = {0}, missing = {0};
  ltb_buffer_text(&matched, "[");
  ltb_buffer_text(&missing, "[");
  int total = 0, found = 0;
  ltb_span cursor = keywords, item;
  while (ltb_json_next(&cursor, &item)) {
    size_t word_length = 0;
    char *word = ltb_json_string(item, &word_length);
    if (!word) return ltb_error("every keyword must be a string");
    /* Reported as configured; matched in lowercase unless case_sensitive. */
    char *needle = word;
    if (!sensitive) {
      needle = ltb_arena_alloc(word_length + 1);
      if (!needle) return ltb_error("out of memory");
      memcpy(needle, word, word_length + 1);
      lowercase(needle, word_length);
    }
    ltb_buffer *list = contains(output, output_length, needle, word_length) ? &matched : &missing;
    if (list == &matched) found++;
    if (list->length > 1) ltb_buffer_text(list, ",");
    ltb_buffer_string(list, word, word_length);
    total++;
  }
  ltb_buffer_text(&matched, "]");
  ltb_buffer_text(&missing, "]");
  if (total == 0) return ltb_error("the keyword list is empty");
  double score = (double)found / (double)total;

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
