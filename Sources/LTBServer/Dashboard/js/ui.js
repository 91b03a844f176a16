// Small DOM helpers: elements are built, never parsed from strings, so no answer or name from
// the API can become markup.

/** An element: h('td', { class: 'num', onclick: f }, 'text', child, ...). */
export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [key, value] of Object.entries(attributes || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith('on')) element.addEventListener(key.slice(2), value);
    else if (key === 'class') element.className = value;
    else if (key === 'text') element.textContent = value;
    else element.setAttribute(key, value === true ? '' : value);
  }
  append(element, children);
  return element;
}

function append(element, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    element.append(child instanceof Node ? child : String(child));
  }
}

/** Replaces an element's children. */
export function fill(element, ...children) {
  element.replaceChildren();
  append(element, children);
  return element;
}

/** A number with `digits` decimals, or an en dash for none. */
export function num(value, digits = 1) {
  if (value === null || value === undefined || Number.isNaN(value)) return '–';
  return Number(value).toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** Milliseconds as "12.3 ms". */
export function ms(value) { return value === null || value === undefined ? '–' : `${num(value, 1)} ms`; }

/** Dollars with enough decimals for small runs. */
export function usd(value) {
  if (value === null || value === undefined) return '–';
  return `$${Number(value).toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: value < 1 ? 6 : 2 })}`;
}

/** A fraction as a percentage. */
export function pct(value, digits = 1) { return value === null || value === undefined ? '–' : `${num(value * 100, digits)} %`; }

/** A timestamp in the reader's locale. */
export function when(value) { return value ? new Date(value).toLocaleString() : '–'; }

/** Seconds as "1 h 2 min", "3 min 4 s" or "5 s". */
export function duration(seconds) {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return '–';
  const s = Math.round(seconds);
  if (s >= 3600) return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
  if (s >= 60) return `${Math.floor(s / 60)} min ${s % 60} s`;
  return `${s} s`;
}

/** A status badge. */
export function badge(status) {
  return h('span', { class: `badge ${String(status).toLowerCase()}` }, String(status).toLowerCase());
}

/** A message for everyone (and screen readers). */
export function toast(message, bad = false) {
  const box = document.getElementById('toast');
  const item = h('div', { class: bad ? 'bad' : '' }, message);
  box.append(item);
  setTimeout(() => item.remove(), 6_000);
}

/** An API error as a block naming the problem and its fix. */
export function problem(error) {
  return h('div', { class: 'problem', role: 'alert' },
    h('strong', {}, error.message || String(error)),
    error.fix ? h('div', {}, `Fix: ${error.fix}`) : null);
}

/** A labelled field. */
export function field(label, control, hint) {
  const id = control.id || `f-${Math.random().toString(36).slice(2, 9)}`;
  control.id = id;
  return h('div', { class: 'field' }, h('label', { for: id }, label), control, hint ? h('small', { class: 'muted' }, hint) : null);
}

/** A table with a header row; `rows` are arrays of cells (nodes or text). */
export function table(caption, headers, rows, options = {}) {
  return h('div', { class: 'table-wrap' }, h('table', { class: options.class || '' },
    h('caption', { class: options.showCaption ? '' : 'sr-only' }, caption),
    h('thead', {}, h('tr', {}, headers.map((name) => h('th', { scope: 'col' }, name)))),
    h('tbody', {}, rows.length ? rows.map((cells) => h('tr', {}, cells.map((cell) => h('td', {}, cell))))
      : h('tr', {}, h('td', { colspan: headers.length, class: 'muted' }, options.empty || 'Nothing yet.')))));
}

/** A heading row with actions. */
export function titled(title, ...actions) {
  return h('div', { class: 'title-row' }, h('h1', {}, title), h('div', { class: 'actions' }, actions));
}

/** The current route's query parameters. */
export function query() {
  const hash = location.hash.slice(1);
  const index = hash.indexOf('?');
  return new URLSearchParams(index < 0 ? '' : hash.slice(index + 1));
}

/** Navigates to a route with query parameters (empty ones left out). */
export function go(path, parameters = {}) {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(parameters)) if (value !== '' && value !== null && value !== undefined) search.set(key, value);
  const text = search.toString();
  location.hash = `#${path}${text ? `?${text}` : ''}`;
}
