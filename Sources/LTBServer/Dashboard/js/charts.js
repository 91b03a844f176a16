// Charts drawn as SVG, sized by their viewBox so they scale with the page.

const NS = 'http://www.w3.org/2000/svg';

function s(tag, attributes = {}, ...children) {
  const element = document.createElementNS(NS, tag);
  for (const [key, value] of Object.entries(attributes)) if (value !== undefined && value !== null) element.setAttribute(key, value);
  for (const child of children) if (child) element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  return element;
}

function ticks(max) {
  if (!(max > 0)) return [0, 0.5, 1];
  const step = 10 ** Math.floor(Math.log10(max));
  const top = Math.ceil(max / step) * step;
  return [0, top / 2, top];
}

/**
 * A line chart of series [{ name, values: [number], class }] over shared x positions, with a
 * title and description for screen readers.
 */
export function lineChart(title, series, { width = 640, height = 180, unit = '' } = {}) {
  const pad = { left: 48, right: 12, top: 12, bottom: 24 };
  const length = Math.max(2, ...series.map((line) => line.values.length));
  const max = Math.max(0, ...series.flatMap((line) => line.values));
  const [, middle, top] = ticks(max);
  const x = (i) => pad.left + (i / (length - 1)) * (width - pad.left - pad.right);
  const y = (v) => height - pad.bottom - (top ? v / top : 0) * (height - pad.top - pad.bottom);
  const svg = s('svg', { viewBox: `0 0 ${width} ${height}`, role: 'img', class: 'chart', 'aria-label': title });
  svg.append(s('title', {}, title));
  for (const value of [0, middle, top]) {
    svg.append(s('line', { x1: pad.left, x2: width - pad.right, y1: y(value), y2: y(value), class: 'grid' }));
    svg.append(s('text', { x: pad.left - 6, y: y(value) + 4, class: 'axis', 'text-anchor': 'end' }, `${+value.toPrecision(3)}${unit}`));
  }
  for (const line of series) {
    if (!line.values.length) continue;
    const points = line.values.map((value, i) => `${x(i + length - line.values.length).toFixed(1)},${y(value).toFixed(1)}`).join(' ');
    svg.append(s('polyline', { points, class: `series ${line.class || ''}`, fill: 'none' }));
  }
  const legend = s('g', { class: 'legend' });
  series.forEach((line, i) => {
    legend.append(s('rect', { x: pad.left + i * 150, y: height - 12, width: 10, height: 3, class: `swatch ${line.class || ''}` }));
    legend.append(s('text', { x: pad.left + 14 + i * 150, y: height - 8, class: 'axis' }, line.name));
  });
  svg.append(legend);
  return svg;
}

/** Horizontal bars [{ label, value }] (error counts, pass rates). */
export function barChart(title, bars, { width = 640, unit = '' } = {}) {
  const row = 22;
  const height = Math.max(1, bars.length) * row + 8;
  const max = Math.max(1e-9, ...bars.map((bar) => bar.value));
  const svg = s('svg', { viewBox: `0 0 ${width} ${height}`, role: 'img', class: 'chart', 'aria-label': title });
  svg.append(s('title', {}, title));
  bars.forEach((bar, i) => {
    const barWidth = (bar.value / max) * (width - 260);
    svg.append(s('text', { x: 0, y: i * row + 15, class: 'axis' }, bar.label.slice(0, 28)));
    svg.append(s('rect', { x: 200, y: i * row + 4, width: Math.max(1, barWidth), height: 14, class: `bar ${bar.class || ''}` }));
    svg.append(s('text', { x: 206 + barWidth, y: i * row + 15, class: 'axis' }, `${bar.value}${unit}`));
  });
  return svg;
}

/**
 * Points that do worse on neither axis than another and better on one: the Pareto front of
 * low cost and high quality.
 */
export function paretoFront(points) {
  return points.filter((p) => !points.some((q) => q !== p && q.cost <= p.cost && q.quality >= p.quality && (q.cost < p.cost || q.quality > p.quality)));
}

/** Cost (x) against quality (y) with the Pareto front joined and marked. */
export function paretoChart(title, points, { width = 640, height = 260 } = {}) {
  const pad = { left: 56, right: 16, top: 16, bottom: 40 };
  const front = new Set(paretoFront(points));
  const maxCost = Math.max(1e-9, ...points.map((p) => p.cost)) * 1.1;
  const x = (v) => pad.left + (v / maxCost) * (width - pad.left - pad.right);
  const y = (v) => height - pad.bottom - v * (height - pad.top - pad.bottom);
  const svg = s('svg', { viewBox: `0 0 ${width} ${height}`, role: 'img', class: 'chart', 'aria-label': title });
  svg.append(s('title', {}, title));
  for (const value of [0, 0.5, 1]) {
    svg.append(s('line', { x1: pad.left, x2: width - pad.right, y1: y(value), y2: y(value), class: 'grid' }));
    svg.append(s('text', { x: pad.left - 6, y: y(value) + 4, class: 'axis', 'text-anchor': 'end' }, `${value * 100} %`));
  }
  svg.append(s('text', { x: width / 2, y: height - 6, class: 'axis', 'text-anchor': 'middle' }, 'cost (USD) →'));
  const ordered = [...front].sort((a, b) => a.cost - b.cost);
  if (ordered.length > 1) svg.append(s('polyline', { points: ordered.map((p) => `${x(p.cost)},${y(p.quality)}`).join(' '), class: 'series front', fill: 'none' }));
  for (const p of points) {
    const onFront = front.has(p);
    svg.append(s('circle', { cx: x(p.cost), cy: y(p.quality), r: onFront ? 6 : 4, class: onFront ? 'dot front' : 'dot' },
      s('title', {}, `${p.label}: ${(p.quality * 100).toFixed(1)} % at $${p.cost.toPrecision(3)}${onFront ? ' (Pareto front)' : ''}`)));
    svg.append(s('text', { x: x(p.cost) + 8, y: y(p.quality) - 6, class: 'axis' }, p.label));
  }
  return svg;
}
