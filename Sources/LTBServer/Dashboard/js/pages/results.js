// A session's results: cursor-paginated over any number of them, with the storage's filters
// (status, tags, text, score of a metric), each row opening its case.

import { gql } from '../api.js';
import { h, fill, titled, table, badge, ms, usd, num, field, query, go } from '../ui.js';

export async function render(main, [id]) {
  const parameters = query();
  const filters = {
    status: parameters.get('status') || '', text: parameters.get('text') || '', tags: parameters.get('tags') || '',
    metric: parameters.get('metric') || '', minScore: parameters.get('minScore') || '', model: parameters.get('model') || '',
  };
  const after = parameters.get('after') || null;
  const filter = {
    sessionId: id, statuses: filters.status ? [filters.status] : null, text: filters.text || null,
    tags: filters.tags ? filters.tags.split(',').map((t) => t.trim()).filter(Boolean) : null,
    metric: filters.metric || null, minScore: filters.minScore === '' ? null : Number(filters.minScore), model: filters.model || null,
  };
  const data = await gql(`query($id: UUID!, $filter: ResultFilter, $after: String) { benchmark(id: $id) { name }
    results(filter: $filter, first: 50, after: $after, descending: false) { edges { node { id testId providerName model status errorCode ttftMs e2eMs outputTokens costUsd scores } } pageInfo { hasNextPage endCursor } } }`,
  { id, filter, after });
  const status = h('select', { name: 'status' }, ['', 'SUCCESS', 'FAILURE', 'TIMEOUT', 'SKIPPED'].map((value) =>
    h('option', { value, selected: value === filters.status }, value ? value.toLowerCase() : 'any')));
  const text = h('input', { type: 'search', name: 'text', value: filters.text, placeholder: 'in prompt, answer or error' });
  const tags = h('input', { name: 'tags', value: filters.tags, placeholder: 'a,b' });
  const model = h('input', { name: 'model', value: filters.model });
  const metric = h('input', { name: 'metric', value: filters.metric, placeholder: 'contains' });
  const minScore = h('input', { name: 'minScore', type: 'number', step: '0.01', min: '0', max: '1', value: filters.minScore });
  const form = h('form', { class: 'filters', role: 'search', 'aria-label': 'Filter results' },
    field('Status', status), field('Text', text), field('Tags', tags), field('Model', model), field('Metric', metric), field('Minimum score', minScore),
    h('button', { type: 'submit' }, 'Filter'));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    go(`/sessions/${id}/results`, { status: status.value, text: text.value.trim(), tags: tags.value.trim(), model: model.value.trim(), metric: metric.value.trim(), minScore: minScore.value });
  });
  const rows = data.results.edges.map(({ node }) => [
    h('a', { href: `#/results/${node.id}` }, node.testId),
    `${node.providerName}/${node.model}`,
    h('span', {}, badge(node.status), node.errorCode ? ` ${node.errorCode}` : ''),
    ms(node.ttftMs), ms(node.e2eMs), node.outputTokens ?? '–', usd(node.costUsd),
    Object.entries(node.scores || {}).map(([name, score]) => `${name} ${num(score, 2)}`).join(', ') || '–',
  ]);
  const page = data.results.pageInfo;
  fill(main,
    titled(`Results · ${data.benchmark?.name || id}`, h('a', { class: 'button', href: `#/sessions/${id}` }, 'Back to the session')),
    form,
    table('Results', ['Case', 'Target', 'Status', 'TTFT', 'E2E', 'Output tokens', 'Cost', 'Scores'], rows, { empty: 'No result matches.', class: 'numeric' }),
    h('nav', { class: 'pager', 'aria-label': 'Pages' },
      after ? h('button', { type: 'button', onclick: () => history.back() }, 'Previous page') : null,
      page.hasNextPage ? h('button', { type: 'button', onclick: () => go(`/sessions/${id}/results`, { ...filters, after: page.endCursor }) }, 'Next page') : null));
}
