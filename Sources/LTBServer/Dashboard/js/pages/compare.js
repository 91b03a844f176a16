// Sessions (or two models of one session) side by side: each metric's difference with its 95 %
// interval and the test's verdict, a matrix of cases by target coloured by pass or fail, and
// cost against quality with the Pareto front marked.

import { gql } from '../api.js';
import { h, fill, titled, table, num, usd, pct, ms, field, query, go, problem } from '../ui.js';
import { paretoChart, paretoFront } from '../charts.js';

const COMPARISON = 'labelA labelB pairedCases flaky metrics { name higherIsBetter pairs meanA meanB difference low high wilcoxonP mcnemarP effectSize verdict }';
const MATRIX_CASES = 200;

export async function render(main) {
  const parameters = query();
  const chosen = (parameters.get('sessions') || '').split(',').filter(Boolean);
  const single = parameters.get('session');
  const models = (parameters.get('models') || '').split(',').filter(Boolean);
  const recent = await gql('{ benchmarks(first: 50, status: COMPLETED) { edges { node { id name createdAt summary { model } } } } }');
  const options = recent.benchmarks.edges.map(({ node }) => node);
  const pickers = [0, 1, 2, 3].map((i) => h('select', { name: `session${i}` },
    h('option', { value: '' }, i === 0 ? 'choose the baseline' : 'none'),
    options.map((s) => h('option', { value: s.id, selected: chosen[i] === s.id }, `${s.name} · ${[...new Set(s.summary.map((t) => t.model))].join(', ')} · ${new Date(s.createdAt).toLocaleDateString()}`))));
  const form = h('form', { class: 'filters', 'aria-label': 'Choose sessions' },
    pickers.map((picker, i) => field(i === 0 ? 'Baseline session' : `Candidate ${i}`, picker)),
    h('button', { type: 'submit', class: 'primary' }, 'Compare'));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    go('/compare', { sessions: pickers.map((p) => p.value).filter(Boolean).join(',') });
  });
  const out = h('div');
  fill(main, titled('Compare'), form, out);
  if (single && models.length >= 2) return showModels(out, single, models);
  if (chosen.length >= 2) return showSessions(out, chosen);
  if (chosen.length === 1) fill(out, h('p', { class: 'muted' }, 'Choose at least one candidate to compare with the baseline.'));
}

async function showSessions(out, ids) {
  fill(out, h('p', { class: 'muted' }, 'Comparing…'));
  const sessions = await Promise.all(ids.map((id) => gql(`query($id: UUID!) { benchmark(id: $id) { id name summary { provider model requests succeeded costUsd timeToFirstToken { p50 p99 } endToEnd { p50 p99 } } evaluation { targets { provider model evaluated pass modelCostUsd } } } }`, { id }).then((d) => d.benchmark)));
  const comparisons = [];
  for (const candidate of ids.slice(1)) {
    try {
      comparisons.push((await gql(`query($a: UUID!, $b: UUID!) { compare(baseline: $a, candidate: $b) { ${COMPARISON} } }`, { a: ids[0], b: candidate })).compare);
    } catch (error) { comparisons.push({ error }); }
  }
  const columns = sessions.map((s) => ({ label: s.name, session: s.id, model: null }));
  fill(out,
    h('h2', {}, 'Side by side'),
    table('Per session', ['Session', 'Target', 'Requests', 'Succeeded', 'TTFT p50', 'TTFT p99', 'E2E p50', 'Pass rate', 'Cost'],
      sessions.flatMap((s) => s.summary.map((t) => {
        const graded = s.evaluation?.targets.find((e) => e.provider === t.provider && e.model === t.model);
        return [s.name, `${t.provider}/${t.model}`, String(t.requests), String(t.succeeded), ms(t.timeToFirstToken?.p50), ms(t.timeToFirstToken?.p99), ms(t.endToEnd?.p50),
          graded ? pct(graded.evaluated ? graded.pass / graded.evaluated : null) : '–', usd(t.costUsd)];
      })), { showCaption: true, class: 'numeric' }),
    comparisons.map((c) => c.error ? problem(c.error) : comparisonTable(c)),
    pareto(sessions.flatMap((s) => (s.evaluation?.targets || []).map((t) => ({ label: `${s.name} · ${t.model}`, cost: t.modelCostUsd, quality: t.evaluated ? t.pass / t.evaluated : 0 })))),
    await matrix(columns));
}

async function showModels(out, session, models) {
  fill(out, h('p', { class: 'muted' }, 'Comparing…'));
  const data = await gql(`query($id: UUID!, $models: [String!]!) { compareModels(sessionId: $id, models: $models) { ${COMPARISON} }
    benchmark(id: $id) { name evaluation { targets { provider model evaluated pass modelCostUsd } } } }`, { id: session, models: models.slice(0, 2) });
  fill(out,
    comparisonTable(data.compareModels),
    pareto((data.benchmark?.evaluation?.targets || []).map((t) => ({ label: t.model, cost: t.modelCostUsd, quality: t.evaluated ? t.pass / t.evaluated : 0 }))),
    await matrix(models.map((model) => ({ label: model, session, model }))));
}

function comparisonTable(c) {
  return h('div', {},
    h('h2', {}, `${c.labelB} against ${c.labelA}`),
    h('p', { class: 'muted' }, `${c.pairedCases} paired cases${c.flaky.length ? ` · flaky: ${c.flaky.join(', ')}` : ''}`),
    table(`${c.labelB} against ${c.labelA}`, ['Metric', 'Baseline', 'Candidate', 'Difference', '95 % interval', 'Wilcoxon p', 'McNemar p', 'Verdict'],
      c.metrics.map((m) => [m.name, num(m.meanA, 3), num(m.meanB, 3), h('span', { class: better(m) }, `${m.difference >= 0 ? '+' : ''}${num(m.difference, 3)}`),
        `[${num(m.low, 3)}, ${num(m.high, 3)}]`, num(m.wilcoxonP, 4), m.mcnemarP === null ? '–' : num(m.mcnemarP, 4), h('strong', { 'data-verdict': m.name }, m.verdict)]),
      { class: 'numeric' }));
}

function better(m) {
  if (m.low <= 0 && m.high >= 0) return '';
  return (m.difference > 0) === m.higherIsBetter ? 'good' : 'bad';
}

function pareto(points) {
  if (!points.length) return h('p', { class: 'muted' }, 'Cost against quality needs graded sessions.');
  const front = paretoFront(points);
  return h('div', {},
    h('h2', {}, 'Cost against quality'),
    paretoChart('Cost against pass rate; larger dots are on the Pareto front', points),
    h('p', {}, 'On the Pareto front (nothing is both cheaper and better): ', h('strong', { 'data-pareto': 'front' }, front.map((p) => p.label).join(', '))));
}

async function matrix(columns) {
  // Pages of 50 keep each query well under the server's complexity limit.
  const byColumn = await Promise.all(columns.map(async (column) => {
    const found = new Map();
    let after = null;
    while (found.size < MATRIX_CASES) {
      const page = (await gql('query($filter: ResultFilter, $after: String) { results(filter: $filter, first: 50, after: $after, descending: false) { edges { node { id testId status evaluations { passed } } } pageInfo { hasNextPage endCursor } } }',
        { filter: { sessionId: column.session, model: column.model }, after })).results;
      for (const { node } of page.edges) found.set(node.testId, node);
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    return found;
  }));
  const cases = [...new Set(byColumn.flatMap((m) => [...m.keys()]))].sort();
  const cell = (node) => {
    if (!node) return h('span', { class: 'cell none' }, '–');
    const pass = node.status === 'SUCCESS' && node.evaluations.every((e) => e.passed !== false);
    return h('a', { class: `cell ${pass ? 'pass' : 'fail'}`, href: `#/results/${node.id}` }, pass ? 'pass' : 'fail');
  };
  return h('div', {},
    h('h2', {}, 'Cases by target'),
    h('p', { class: 'muted' }, `Pass means the request succeeded and no verdict failed (first ${MATRIX_CASES} results of each).`),
    table('Cases by target', ['Case', ...columns.map((c) => c.label)], cases.map((id) => [id, ...byColumn.map((m) => cell(m.get(id)))]), { class: 'matrix' }));
}
