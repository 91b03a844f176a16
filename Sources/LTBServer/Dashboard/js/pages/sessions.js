// Sessions: filtered, searchable, cursor-paginated; cancel and resume in place.

import { gql, can } from '../api.js';
import { h, fill, titled, table, badge, when, field, query, go, problem, toast } from '../ui.js';

const SESSION = 'id name status totalTasks createdAt startedAt completedAt ownerId tags summary { provider model requests }';

export async function render(main) {
  const parameters = query();
  const filters = {
    status: parameters.get('status') || '', name: parameters.get('name') || '',
    provider: parameters.get('provider') || '', model: parameters.get('model') || '',
  };
  const after = parameters.get('after') || null;
  const variables = { first: 25, after, status: filters.status || null, name: filters.name || null, provider: filters.provider || null, model: filters.model || null };
  const data = await gql(`query($first: Int, $after: String, $status: SessionStatus, $name: String, $provider: String, $model: String) {
    benchmarks(first: $first, after: $after, status: $status, name: $name, provider: $provider, model: $model) { edges { node { ${SESSION} } } pageInfo { hasNextPage endCursor } } }`, variables);
  let owners = new Map();
  if (can('MANAGE_USERS')) {
    try { owners = new Map((await gql('{ users { id username } }')).users.map((u) => [u.id, u.username])); } catch { /* ids shown instead */ }
  }
  const status = h('select', { name: 'status' }, ['', 'PENDING', 'RUNNING', 'COMPLETED', 'FAILED', 'CANCELLED'].map((value) =>
    h('option', { value, selected: value === filters.status }, value ? value.toLowerCase() : 'any')));
  const name = h('input', { name: 'name', type: 'search', value: filters.name, placeholder: 'part of the name' });
  const provider = h('input', { name: 'provider', value: filters.provider });
  const model = h('input', { name: 'model', value: filters.model });
  const form = h('form', { class: 'filters', role: 'search', 'aria-label': 'Filter sessions' },
    field('Status', status), field('Name', name), field('Provider', provider), field('Model', model),
    h('button', { type: 'submit' }, 'Filter'));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    go('/sessions', { status: status.value, name: name.value.trim(), provider: provider.value.trim(), model: model.value.trim() });
  });
  const admin = can('MANAGE_USERS');
  const rows = data.benchmarks.edges.map(({ node }) => [
    h('a', { href: `#/sessions/${node.id}` }, node.name),
    badge(node.status),
    [...new Set(node.summary.map((t) => `${t.provider}/${t.model}`))].join(', ') || '–',
    String(node.totalTasks),
    when(node.createdAt),
    when(node.completedAt),
    admin ? (owners.get(node.ownerId) || node.ownerId || '–') : null,
    actions(node),
  ].filter((cell) => cell !== null));
  const headers = ['Name', 'Status', 'Provider / model', 'Tasks', 'Created', 'Ended', admin ? 'Owner' : null, 'Actions'].filter(Boolean);
  const page = data.benchmarks.pageInfo;
  fill(main,
    titled('Sessions', can('RUN_BENCHMARK') ? h('a', { class: 'button primary', href: '#/sessions/new' }, 'New run') : null),
    form,
    table('Sessions', headers, rows, { empty: 'No session matches.' }),
    h('nav', { class: 'pager', 'aria-label': 'Pages' },
      after ? h('button', { type: 'button', onclick: () => history.back() }, 'Previous page') : null,
      page.hasNextPage ? h('button', { type: 'button', onclick: () => go('/sessions', { ...filters, after: page.endCursor }) }, 'Next page') : null));
}

function actions(node) {
  if (!can('RUN_BENCHMARK')) return '';
  const wrap = h('span', { class: 'row-actions' });
  const act = async (mutation, label) => {
    try {
      await gql(`mutation($id: UUID!) { ${mutation}(id: $id) { id status } }`, { id: node.id });
      toast(`${label}: ${node.name}`);
      window.dispatchEvent(new HashChangeEvent('hashchange'));
    } catch (error) { fill(wrap, problem(error)); }
  };
  if (node.status === 'RUNNING' || node.status === 'PENDING') wrap.append(h('button', { type: 'button', onclick: () => act('cancelBenchmark', 'Cancelled') }, 'Cancel'));
  if (node.status === 'CANCELLED' || node.status === 'FAILED') wrap.append(h('button', { type: 'button', onclick: () => act('resumeBenchmark', 'Resumed') }, 'Resume'));
  return wrap;
}
