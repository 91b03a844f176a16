/* prompt-template: rewrites each request's last user message through a template before it is
 * sent, and optionally sets the system prompt.
 *
 * Configuration: {"template": "Answer in one word.\n\nQuestion: {{prompt}}", "system": "Be terse."}
 * Input: {"messages": [{"role": "user", "content": "..."}], "system": "..." or null, "config": ...}
 * Answer: {"messages": [...], "system": "..."} with {{prompt}} replaced by the message's text. */
#include <ltb_plugin.h>
#include <string.h>

static uint64_t transform(ltb_span input) {
  ltb_span config = ltb_json_get(input, "config");
  size_t template_length = 0;
  char *template = ltb_json_string(ltb_json_get(config, "template"), &template_length);
  if (!template) return ltb_error("configure a \"template\" containing {{prompt}}");
  ltb_span messages = ltb_json_get(input, "messages");
  if (!ltb_json_is_array(messages)) return ltb_error("the input has no messages");

  /* The index of the last user message. */
  int last_user = -1, index = 0;
  ltb_span cursor = messages, item;
  while (ltb_json_next(&cursor, &item)) {
    if (ltb_json_is(ltb_json_get(item, "role"), "\"user\"")) last_user = index;
    index++;
  }
  ltb_buffer answer = {0};
  ltb_buffer_text(&answer, "{\"messages\":[");
  cursor = messages;
  index = 0;
  while (ltb_json_next(&cursor, &item)) {
    if (index > 0) ltb_buffer_text(&answer, ",");
    if (index != last_user) {
      ltb_buffer_append(&answer, item.data, item.length);
    } else {
      size_t text_length = 0;
      char *text = ltb_json_string(ltb_json_get(item, "content"), &text_length);
      if (!text) return ltb_error("the user message has no text content");
      ltb_buffer filled = {0};
      const char *p = template, *end = template + template_length;
      while (p < end) {
        const char *mark = strstr(p, "{{prompt}}");
        if (!mark || mark >= end) {
          ltb_buffer_append(&filled, p, (size_t)(end - p));
          break;
        }
        ltb_buffer_append(&filled, p, (size_t)(mark - p));
        ltb_buffer_append(&filled, text, text_length);
        p = mark + strlen("{{prompt}}");
      }
      ltb_buffer_text(&answer, "{\"role\":\"user\",\"content\":");
      ltb_buffer_string(&answer, filled.data ? filled.data : "", filled.length);
      ltb_buffer_text(&answer, "}");
    }
    index++;
  }
  ltb_buffer_text(&answer, "]");
  ltb_span system = ltb_json_get(config, "system");
  if (!ltb_json_is_string(system)) system = ltb_json_get(input, "system");
  if (ltb_json_is_string(system)) {
    ltb_buffer_text(&answer, ",\"system\":");
    ltb_buffer_append(&answer, system.data, system.length);
  }
  ltb_buffer_text(&answer, "}");
  return ltb_answer(&answer);
}

LTB_PLUGIN_REQUEST_TRANSFORM(transform)
