/* json-structure: checks that the answer is a JSON object with the required keys, each of
 * the expected JSON type (a JSON-Schema-ish structure check).
 *
 * Configuration: {"required": ["name", "age"], "types": {"name": "string", "age": "number"}}
 * The answer may wrap the object in prose or a ``` fence: the first '{' starts it.
 * Score: checks met / checks (each required key is one check, each typed key one more);
 * passes when every check is met. An answer with no JSON object scores 0. */
#include <ltb_plugin.h>
#include <string.h>

static const char *type_of(ltb_span value) {
  if (value.length == 0) return "missing";
  switch (value.data[0]) {
  case '{': return "object";
  case '[': return "array";
  case '"': return "string";
  case 't':
  case 'f': return "boolean";
  case 'n': return "null";
  default: return "number";
  }
}

static uint64_t evaluate(ltb_span input) {
  ltb_span config = ltb_json_get(input, "config");
  ltb_span required = ltb_json_get(config, "required");
  ltb_span types = ltb_json_get(config, "types");
  size_t output_length = 0;
  char *output = ltb_json_string(ltb_json_get(input, "output"), &output_length);
  if (!output) return ltb_error("the input has no output string");
  const char *brace = memchr(output, '{', output_length);
  ltb_span text = {brace ? brace : output, brace ? output_length - (size_t)(brace - output) : 0};
  ltb_span object = ltb_json_value(text);

  ltb_buffer problems = {0};
  ltb_buffer_text(&problems, "[");
  int checks = 0, met = 0;
  if (!ltb_json_is_object(object)) {
    ltb_buffer answer = {0};
    ltb_buffer_text(&answer, "{\"score\":0,\"passed\":false,\"explanation\":\"the answer holds no JSON object\"}");
    return ltb_answer(&answer);
  }
  ltb_span cursor = required, item;
  while (ltb_json_is_array(required) && ltb_json_next(&cursor, &item)) {
    char *key = ltb_json_string(item, NULL);
    if (!key) return ltb_error("\"required\" must list strings");
    checks++;
    if (ltb_json_get(object, key).length > 0) {
      met++;
    } else {
      if (problems.length > 1) ltb_buffer_text(&problems, ",");
      ltb_buffer_string(&problems, key, strlen(key));
    }
  }
  /* Each typed key: walk the "types" object's members. */
  if (ltb_json_is_object(types)) {
    ltb_span rest = {types.data + 1, types.length - 1};
    while (1) {
      ltb_span key_span = ltb_json_value(rest);
      if (!ltb_json_is_string(key_span)) break;
      char *key = ltb_json_string(key_span, NULL);
      const char *after = key_span.data + key_span.length;
      while (*after == ' ' || *after == ':') after++;
      ltb_span value_text = {after, (size_t)(types.data + types.length - after)};
      ltb_span wanted_span = ltb_json_value(value_text);
      char *wanted = ltb_json_string(wanted_span, NULL);
      if (!wanted) return ltb_error("\"types\" maps keys to type names");
      checks++;
      const char *actual = type_of(ltb_json_get(object, key));
      if (strcmp(actual, wanted) == 0 || (strcmp(wanted, "integer") == 0 && strcmp(actual, "number") == 0)) {
        met++;
      } else {
        char note[256];
        size_t n = strlen(key) < 200 ? strlen(key) : 200;
        memcpy(note, key, n);
        note[n] = 0;
        if (problems.length > 1) ltb_buffer_text(&problems, ",");
        ltb_buffer_text(&problems, "\"");
        ltb_buffer_append(&problems, note, n);
        ltb_buffer_text(&problems, " is ");
        ltb_buffer_text(&problems, actual);
        ltb_buffer_text(&problems, "\"");
      }
      const char *next = wanted_span.data + wanted_span.length;
      while (*next == ' ' || *next == ',') next++;
      rest.data = next;
      rest.length = (size_t)(types.data + types.length - next);
    }
  }
  ltb_buffer_text(&problems, "]");
  if (checks == 0) return ltb_error("configure \"required\" keys or \"types\"");
  double score = (double)met / (double)checks;
  ltb_buffer answer = {0};
  ltb_buffer_text(&answer, "{\"score\":");
  ltb_buffer_number(&answer, score);
  ltb_buffer_text(&answer, met == checks ? ",\"passed\":true" : ",\"passed\":false");
  ltb_buffer_text(&answer, ",\"details\":{\"problems\":");
  ltb_buffer_append(&answer, problems.data, problems.length);
  ltb_buffer_text(&answer, "}}");
  return ltb_answer(&answer);
}

LTB_PLUGIN_EVALUATOR(evaluate)
