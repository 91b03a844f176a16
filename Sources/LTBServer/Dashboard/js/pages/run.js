// One session: live while it runs (the server's once-a-second figures from the liveStats
// subscription, alerts as they fire), then its stored summary and grading.

import { gql, can } from '../api.js';
import { subscribe, onState } from '../socket.js';
import { h, fill, titled, badge, ms, num, usd, pct, when, duration, table, problem, toast } from '../ui.js';
import { lineChart, barChart } from '../charts.js';

const LATENCY = 'count mean p50 p90 p95 p99 max';
const SUMMARY = `provider model requests succeeded timeToFirstToken { ${LATENCY} } endToEnd { ${LATENCY} } interTokenLatency { ${LATENCY} } requestThroughput outputTokenThroughput inputTokens outputTokens costUsd`;
const LIVE = `sessionId finished status completed failed total elapsedSeconds etaSeconds requestsPerSecond outputTokensPerSecond costUsd
  errors { code count } recent { at requests outputTokens errors }
  targets { provider model requests succeeded timeToFirstToken { ${LATENCY} } endToEnd { ${LATENCY} } timePerOutputToken { ${LATENCY} } scheduleLag { ${LATENCY} } }`;

export async function render(main, [id]) {
  const load = () => gql(`query($id: UUID!) { benchmark(id: $id) { id name description status stopReason totalTasks tags createdAt startedAt completedAt resultCounts
    summary { ${SUMMARY} } evaluation { judge gradedAt targets { provider model evaluated pass fail error modelCostUsd judgeCostUsd metrics { metric count mean low high passRate errors } } } } }`, { id });
  const data = await load();
  const session = data.benchmark;
  if (!session) {
    fill(main, h('h1', {}, 'No such session'), problem({ message: `There is no session ${id} you can see.`, fix: 'pick one from the sessions list' }));
    return null;
  }
  const live = h('div', { class: 'live' });
  const stored = h('div');
  const alerts = h('ul', { class: 'alerts', 'aria-live': 'polite' });
  const connection = h('span', { class: 'muted', 'aria-live': 'polite' });
  const header = h('div');
  const stops = [];

  function drawHeader(current) {
    fill(header,
      titled(current.name,
        h('a', { class: 'button', href: `#/sessions/${id}/results` }, 'Results'),
        h('a', { class: 'button', href: `#/compare?sessions=${id}` }, 'Compare'),
        can('RUN_BENCHMARK') && ['RUNNING', 'PENDING'].includes(current.status) ? h('button', { type: 'button', onclick: () => act('cancelBenchmark') }, 'Cancel') : null,
        can('RUN_BENCHMARK') && ['CANCELLED', 'FAILED'].includes(current.status) ? h('button', { type: 'button', onclick: () => act('resumeBenchmark') }, 'Resume') : null),
      h('p', {}, badge(current.status), ' ', current.description || '', current.stopReason ? ` · stopped: ${current.stopReason}` : '',
        ` · created ${when(current.createdAt)}`, current.completedAt ? ` · ended ${when(current.completedAt)}` : '', ' ', connection));
  }

  async function act(mutation) {
    try {
      await gql(`mutation($id: UUID!) { ${mutation}(id: $id) { id } }`, { id });
      toast(mutation === 'cancelBenchmark' ? 'Cancelled.' : 'Resumed.');
      window.dispatchEvent(new HashChangeEvent('hashchange'));
    } catch (error) { toast(error.message, true); }
  }

  let shown = false;
  async function showStored() {
    if (shown) return;
    shown = true;
    const fresh = (await load()).benchmark;
    drawHeader(fresh);
    fill(stored, h('h2', { id: 'stored-title' }, 'Stored summary'), summaryTable(fresh.summary),
      countsTable(fresh.resultCounts), evaluationTables(fresh.evaluation));
  }

  drawHeader(session);
  fill(main, header, live, alerts, stored);
  if (['RUNNING', 'PENDING'].includes(session.status)) {
    fill(live, h('h2', { id: 'live-title' }, 'Live'), h('p', { class: 'muted' }, 'Waiting for the first figures…'));
    stops.push(onState((state) => { connection.textContent = state === 'open' ? '· live' : state === 'connecting' ? '· connecting…' : '· reconnecting…'; }));
    stops.push(subscribe(`subscription($id: UUID!) { liveStats(sessionId: $id) { ${LIVE} } }`, { id }, {
      next: (payload) => {
        drawLive(live, payload.liveStats);
        if (payload.liveStats.finished) showStored().catch((error) => fill(stored, problem(error)));
      },
      error: (error) => fill(live, problem(error)),
      complete: () => { connection.textContent = ''; showStored().catch((error) => fill(stored, problem(error))); },
    }));
    stops.push(subscribe('subscription { alerts { id state severity message sessionId triggeredAt } }', {}, {
      next: ({ alerts: alert }) => {
        if (alert.sessionId && alert.sessionId !== id) return;
        alerts.prepend(h('li', { class: `alert ${alert.severity}` }, `${alert.state.toLowerCase()} · ${alert.severity}: ${alert.message}`));
      },
    }));
  } else {
    await showStored();
  }
  try {
    const past = await gql('query($id: UUID) { alerts(sessionId: $id, first: 20) { id state severity message triggeredAt } }', { id });
    for (const alert of past.alerts) alerts.append(h('li', { class: `alert ${alert.severity}` }, `${alert.state.toLowerCase()} · ${alert.severity}: ${alert.message} (${when(alert.triggeredAt)})`));
  } catch { /* alerts are an extra */ }
  return () => stops.forEach((stop) => stop());
}

function drawLive(section, stats) {
  const share = stats.total ? stats.completed / stats.total : 0;
  const lag = stats.targets.map((t) => t.scheduleLag?.p99).filter((v) => v !== undefined && v !== null);
  fill(section,
    h('h2', { id: 'live-title' }, stats.finished ? 'Run ended' : 'Live'),
    h('div', { class: 'progress-row' },
      h('progress', { max: 1, value: share, 'aria-label': 'Progress' }),
      h('strong', { 'data-live': 'percent' }, `${num(share * 100, 1)} %`),
      h('span', { 'data-live': 'completed' }, `${stats.completed} of ${stats.total || '?'} requests`)),
    h('dl', { class: 'figures' },
      figure('Elapsed', duration(stats.elapsedSeconds), 'elapsed'),
      figure('ETA', stats.finished ? 'done' : duration(stats.etaSeconds), 'eta'),
      figure('Requests/s', num(stats.requestsPerSecond, 0), 'rps'),
      figure('Output tokens/s', num(stats.outputTokensPerSecond, 0), 'tps'),
      figure('Failed', String(stats.failed), 'failed'),
      figure('Cost so far', usd(stats.costUsd), 'cost'),
      figure('Schedule lag p99', lag.length ? ms(Math.max(...lag)) : '–', 'lag')),
    lineChart('Throughput over the last two minutes', [
      { name: 'requests/s', values: stats.recent.map((p) => p.requests), class: 'a' },
      { name: 'errors/s', values: stats.recent.map((p) => p.errors), class: 'bad' },
    ]),
    lineChart('Output tokens per second', [{ name: 'tokens/s', values: stats.recent.map((p) => p.outputTokens), class: 'b' }]),
    latencyTable('Live latency (ms)', stats.targets.map((t) => ({ label: `${t.provider}/${t.model}`, rows: [['TTFT', t.timeToFirstToken], ['E2E', t.endToEnd], ['TPOT', t.timePerOutputToken]] })), 'live'),
    stats.errors.length ? h('div', {}, h('h3', {}, 'Errors by code'), barChart('Errors by code', stats.errors.map((e) => ({ label: e.code, value: e.count, class: 'bad' })))) : null);
}

function figure(label, value, key) {
  return h('div', {}, h('dt', {}, label), h('dd', { 'data-live': key }, value));
}

function latencyTable(caption, groups, prefix) {
  const rows = [];
  for (const group of groups) {
    for (const [name, stats] of group.rows) {
      const key = `${prefix}-${name.toLowerCase()}`;
      rows.push([group.label, name, ...['p50', 'p90', 'p99', 'mean'].map((p) => h('span', { 'data-metric': `${key}-${p}` }, stats ? num(stats[p], 1) : '–')), stats ? String(stats.count) : '0']);
    }
  }
  return table(caption, ['Target', 'Metric', 'p50', 'p90', 'p99', 'mean', 'n'], rows, { showCaption: true, class: 'numeric' });
}

function summaryTable(summary) {
  return h('div', {},
    latencyTable('Latency (ms)', summary.map((t) => ({ label: `${t.provider}/${t.model}`, rows: [['TTFT', t.timeToFirstToken], ['E2E', t.endToEnd], ['ITL', t.interTokenLatency]] })), 'stored'),
    table('Throughput, tokens and cost', ['Target', 'Requests', 'Succeeded', 'Requests/s', 'Output tokens/s', 'Input tokens', 'Output tokens', 'Cost'],
      summary.map((t) => [`${t.provider}/${t.model}`, String(t.requests), String(t.succeeded), num(t.requestThroughput, 2), num(t.outputTokenThroughput, 1), String(t.inputTokens), String(t.outputTokens), usd(t.costUsd)]),
      { showCaption: true, class: 'numeric' }));
}

function countsTable(counts) {
  const entries = Object.entries(counts || {});
  return table('Results by status', ['Status', 'Count'], entries.map(([status, count]) => [badge(status), String(count)]), { showCaption: true });
}

function evaluationTables(evaluation) {
  if (!evaluation) return h('p', { class: 'muted' }, 'Not graded.');
  return h('div', {},
    h('h2', {}, 'Grading'),
    table('Verdicts per target', ['Target', 'Evaluated', 'Pass', 'Fail', 'Error', 'Pass rate', 'Model cost', 'Judge cost'],
      evaluation.targets.map((t) => [`${t.provider}/${t.model}`, String(t.evaluated), String(t.pass), String(t.fail), String(t.error), pct(t.evaluated ? t.pass / t.evaluated : null), usd(t.modelCostUsd), usd(t.judgeCostUsd)]),
      { showCaption: true, class: 'numeric' }),
    table('Metrics (mean with its 95 % interval)', ['Target', 'Metric', 'n', 'Mean', '95 % interval', 'Pass rate', 'Errors'],
      evaluation.targets.flatMap((t) => t.metrics.map((m) => [`${t.provider}/${t.model}`, m.metric, String(m.count), num(m.mean, 3), `[${num(m.low, 3)}, ${num(m.high, 3)}]`, pct(m.passRate), String(m.errors)])),
      { showCaption: true, class: 'numeric' }),
    h('p', { class: 'muted' }, `Judge: ${evaluation.judge || 'none'} · graded ${when(evaluation.gradedAt)}`));
}
