// Administration, each tab shown only with its permission (the server refuses the rest anyway):
// users, API keys (a created key is shown once), providers, plugins, alert rules, the audit log
// and the workers (live from workerEvents). Tabs of a feature that is off ([features]) are hidden.

import { gql, can } from '../api.js';
import { subscribe } from '../socket.js';
import { h, fill, titled, table, badge, when, field, problem, toast, num, query, go } from '../ui.js';

const tabs = [
  { id: 'users', label: 'Users', permission: 'MANAGE_USERS', render: users },
  { id: 'keys', label: 'API keys', permission: 'VIEW_RESULTS', render: keys },
  { id: 'providers', label: 'Providers', permission: 'VIEW_RESULTS', render: providers },
  { id: 'plugins', label: 'Plugins', permission: 'VIEW_RESULTS', feature: 'PLUGINS', render: plugins },
  { id: 'alerts', label: 'Alert rules', permission: 'VIEW_RESULTS', render: alertRules },
  { id: 'audit', label: 'Audit log', permission: 'ADMIN_ACCESS', render: audit },
  { id: 'workers', label: 'Workers', permission: 'VIEW_RESULTS', feature: 'DISTRIBUTED', render: workers },
];

let features = null;

async function enabledFeatures() {
  if (!features) {
    const data = await gql('{ health { features { feature enabled } } }');
    features = new Set(data.health.features.filter((f) => f.enabled).map((f) => f.feature));
  }
  return features;
}

export async function render(main, [name]) {
  const on = await enabledFeatures();
  const tab = tabs.find((t) => t.id === name);
  const visible = tabs.filter((t) => can(t.permission) && (!t.feature || on.has(t.feature)));
  const nav = h('nav', { class: 'tabs', 'aria-label': 'Administration' }, h('ul', {}, visible.map((t) =>
    h('li', {}, h('a', { href: `#/admin/${t.id}`, 'aria-current': t === tab ? 'page' : null }, t.label)))));
  if (!tab) { fill(main, titled('Administration'), nav, problem({ message: `No admin page ${name}.`, fix: 'pick a tab above' })); return null; }
  if (tab.feature && !on.has(tab.feature)) {
    const flag = tab.feature.toLowerCase();
    fill(main, titled(tab.label), nav, problem({ message: `The ${flag} feature is off on this server.`, fix: `set features.${flag} = true in ltb.toml (or LTB_FEATURES__${tab.feature}=true) and restart` }));
    return null;
  }
  if (!can(tab.permission)) {
    fill(main, titled('Not allowed'), nav, problem({ message: `Your role cannot open ${tab.label} (it needs ${tab.permission}).`, fix: 'ask an admin for a role that has it' }));
    return null;
  }
  const body = h('div');
  fill(main, titled(tab.label), nav, body);
  return tab.render(body);
}

function reload() { window.dispatchEvent(new HashChangeEvent('hashchange')); }

function guarded(action, where) {
  return async (event) => {
    event?.preventDefault?.();
    try { await action(); } catch (error) { fill(where, problem(error)); }
  };
}

async function users(body) {
  const data = await gql('{ users { id username email role active createdAt lastLoginAt } }');
  const message = h('div', { 'aria-live': 'assertive' });
  const username = h('input', { name: 'username', required: true, autocomplete: 'off' });
  const email = h('input', { name: 'email', type: 'email', required: true });
  const password = h('input', { name: 'password', type: 'password', required: true, autocomplete: 'new-password' });
  const role = h('select', { name: 'role' }, ['VIEWER', 'USER', 'ADMIN'].map((r) => h('option', { value: r }, r.toLowerCase())));
  const form = h('form', { class: 'filters', 'aria-label': 'New user' }, field('Username', username), field('Email', email), field('Password', password, 'At least 12 characters.'), field('Role', role),
    h('button', { type: 'submit', class: 'primary' }, 'Create user'));
  form.addEventListener('submit', guarded(async () => {
    await gql('mutation($input: CreateUserInput!) { createUser(input: $input) { id } }', { input: { username: username.value.trim(), email: email.value.trim(), password: password.value, role: role.value } });
    toast(`Created ${username.value}.`);
    reload();
  }, message));
  fill(body, h('h2', {}, 'New user'), form, message,
    table('Users', ['Username', 'Email', 'Role', 'Active', 'Created', 'Last sign-in', 'Actions'], data.users.map((u) => {
      const select = h('select', { 'aria-label': `Role of ${u.username}` }, ['VIEWER', 'USER', 'ADMIN'].map((r) => h('option', { value: r, selected: r === u.role }, r.toLowerCase())));
      select.addEventListener('change', guarded(async () => { await gql('mutation($id: UUID!, $role: Role) { updateUser(id: $id, role: $role) { id } }', { id: u.id, role: select.value }); toast(`${u.username} is now ${select.value.toLowerCase()}.`); }, message));
      return [u.username, u.email, select, u.active ? 'yes' : 'no', when(u.createdAt), when(u.lastLoginAt),
        u.active ? h('button', { type: 'button', onclick: guarded(async () => { await gql('mutation($id: UUID!) { updateUser(id: $id, active: false) { id } }', { id: u.id }); reload(); }, message) }, `Deactivate ${u.username}`) : ''];
    })));
}

async function keys(body) {
  const all = can('MANAGE_USERS');
  const data = await gql('{ apiKeys { id userId name role scopes createdAt expiresAt lastUsedAt revokedAt } }');
  const message = h('div', { 'aria-live': 'assertive' });
  const name = h('input', { name: 'name', required: true });
  const role = h('select', { name: 'role' }, h('option', { value: '' }, 'my role'), ['VIEWER', 'USER', 'ADMIN'].map((r) => h('option', { value: r }, r.toLowerCase())));
  const form = h('form', { class: 'filters', 'aria-label': 'New API key' }, field('Name', name), field('Role', role, 'At most your own.'), h('button', { type: 'submit', class: 'primary' }, 'Create key'));
  const created = h('div', { 'aria-live': 'polite' });
  form.addEventListener('submit', guarded(async () => {
    const result = await gql('mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { key apiKey { id name } } }', { input: { name: name.value.trim(), role: role.value || null } });
    const key = result.createApiKey.key;
    fill(created, h('div', { class: 'card once' },
      h('p', {}, h('strong', {}, 'Copy this key now: it is shown once and never again.')),
      h('code', { class: 'key', 'data-created-key': result.createApiKey.apiKey.id }, key),
      h('button', { type: 'button', onclick: () => navigator.clipboard?.writeText(key).then(() => toast('Copied.')) }, 'Copy')));
    name.value = '';
    await listKeys();
  }, message));
  const list = h('div');
  async function listKeys() {
    const fresh = await gql('{ apiKeys { id userId name role scopes createdAt expiresAt lastUsedAt revokedAt } }');
    drawKeys(fresh.apiKeys);
  }
  function drawKeys(items) {
    fill(list, table(all ? 'Every API key' : 'Your API keys', ['Name', 'Id', 'Role', 'Created', 'Last used', 'Expires', 'State', 'Actions'], items.map((k) => [
      k.name, h('code', {}, k.id), k.role.toLowerCase(), when(k.createdAt), when(k.lastUsedAt), when(k.expiresAt), k.revokedAt ? `revoked ${when(k.revokedAt)}` : 'active',
      k.revokedAt ? '' : h('button', { type: 'button', 'data-revoke': k.id, onclick: guarded(async () => { await gql('mutation($id: String!) { revokeApiKey(id: $id) { id revokedAt } }', { id: k.id }); toast(`Revoked ${k.name}.`); await listKeys(); }, message) }, `Revoke ${k.name}`)])));
  }
  drawKeys(data.apiKeys);
  fill(body, h('h2', {}, 'New key'), form, message, created, list);
}

async function providers(body) {
  const data = await gql('{ providers { name kind source baseUrl defaultModel apiKeySource capabilities { streaming } } }');
  const message = h('div', { 'aria-live': 'polite' });
  fill(body, message, table('Providers', ['Name', 'Kind', 'Source', 'Base URL', 'Default model', 'Key from', 'Streaming', 'Health'], data.providers.map((p) => {
    const health = h('span', {}, '–');
    return [p.name, p.kind, p.source.toLowerCase(), p.baseUrl, p.defaultModel || '–', p.apiKeySource || '–', p.capabilities.streaming ? 'yes' : 'no',
      can('MANAGE_PROVIDERS') ? h('span', {}, health, ' ', h('button', { type: 'button', onclick: guarded(async () => {
        const r = (await gql('mutation($n: String!) { testProvider(name: $n) { healthy latencyMs detail } }', { n: p.name })).testProvider;
        health.textContent = r.healthy ? `healthy (${num(r.latencyMs, 0)} ms)` : `unhealthy: ${r.detail}`;
      }, message) }, `Test ${p.name}`)) : health];
  })));
}

async function plugins(body) {
  const data = await gql('{ plugins { name version kind description enabled loaded disabledReason problem sha256 updatedAt } }');
  const message = h('div', { 'aria-live': 'polite' });
  const manage = can('MANAGE_PLUGINS');
  fill(body, h('p', { class: 'muted' }, 'Install plugins with ltb plugins install or the installPlugin mutation.'), message,
    table('Plugins', ['Name', 'Version', 'Kind', 'Description', 'State', 'Updated', 'Actions'], data.plugins.map((p) => [
      p.name, p.version, p.kind.toLowerCase(), p.description, p.enabled ? (p.loaded ? 'enabled' : `not loaded: ${p.problem || ''}`) : `disabled${p.disabledReason ? `: ${p.disabledReason}` : ''}`, when(p.updatedAt),
      manage ? h('button', { type: 'button', onclick: guarded(async () => {
        await gql(`mutation($n: String!) { ${p.enabled ? 'disablePlugin' : 'enablePlugin'}(name: $n) { name } }`, { n: p.name });
        reload();
      }, message) }, `${p.enabled ? 'Disable' : 'Enable'} ${p.name}`) : ''])));
}

async function alertRules(body) {
  const data = await gql('{ alertRules { id name source summary severity enabled channels } alerts(first: 50) { id state severity message triggeredAt acknowledgedAt } }');
  const message = h('div', { 'aria-live': 'polite' });
  fill(body, message,
    table('Alert rules', ['Name', 'Source', 'Rule', 'Severity', 'Channels', 'Enabled', 'Actions'], data.alertRules.map((r) => [
      r.name, r.source.toLowerCase(), r.summary, r.severity.toLowerCase(), r.channels.join(', ') || '–', r.enabled ? 'yes' : 'no',
      can('ADMIN_ACCESS') && r.source === 'API' ? h('button', { type: 'button', onclick: guarded(async () => { await gql('mutation($id: UUID!) { deleteAlertRule(id: $id) }', { id: r.id }); reload(); }, message) }, `Delete ${r.name}`) : '']), { showCaption: true }),
    table('Recent alerts', ['State', 'Severity', 'Message', 'Fired', 'Acknowledged', 'Actions'], data.alerts.map((a) => [
      a.state.toLowerCase(), a.severity, a.message, when(a.triggeredAt), when(a.acknowledgedAt),
      a.id && !a.acknowledgedAt && can('RUN_BENCHMARK') ? h('button', { type: 'button', onclick: guarded(async () => { await gql('mutation($id: UUID!) { acknowledgeAlert(id: $id) { id } }', { id: a.id }); reload(); }, message) }, 'Acknowledge') : '']), { showCaption: true }));
}

async function audit(body) {
  const parameters = query();
  const after = parameters.get('after') || null;
  const prefix = parameters.get('action') || '';
  const data = await gql('query($after: String, $filter: AuditFilter) { auditLog(first: 50, after: $after, filter: $filter) { edges { node { id userId action resourceType resourceId details ipAddress createdAt } } pageInfo { hasNextPage endCursor } } }',
    { after, filter: prefix ? { actionPrefix: prefix } : null });
  const action = h('input', { name: 'action', value: prefix, placeholder: 'login, key., user.' });
  const form = h('form', { class: 'filters', role: 'search', 'aria-label': 'Filter the audit log' }, field('Action starts with', action), h('button', { type: 'submit' }, 'Filter'));
  form.addEventListener('submit', (event) => { event.preventDefault(); go('/admin/audit', { action: action.value.trim() }); });
  const page = data.auditLog.pageInfo;
  fill(body, form,
    table('Audit log', ['When', 'Action', 'Resource', 'User', 'Address', 'Details'], data.auditLog.edges.map(({ node }) => [
      when(node.createdAt), node.action, `${node.resourceType}${node.resourceId ? ` ${node.resourceId.slice(0, 8)}` : ''}`, node.userId ? node.userId.slice(0, 8) : '–', node.ipAddress || '–',
      h('code', {}, JSON.stringify(node.details).slice(0, 160))])),
    h('nav', { class: 'pager', 'aria-label': 'Pages' },
      after ? h('button', { type: 'button', onclick: () => history.back() }, 'Previous page') : null,
      page.hasNextPage ? h('button', { type: 'button', onclick: () => go('/admin/audit', { action: prefix, after: page.endCursor }) }, 'Next page') : null));
}

async function workers(body) {
  const data = await gql('{ workers { id name state version providers maxConcurrentTasks leasedTasks tasksDone tasksRefused tasksPerSecond scheduleLagP99Ms lastHeartbeatAt } }');
  const known = new Map(data.workers.map((w) => [w.id, w]));
  const draw = () => fill(body, table('Workers', ['Name', 'State', 'Version', 'Providers', 'Slots', 'Leased', 'Done', 'Refused', 'Tasks/s', 'Lag p99', 'Last heartbeat'],
    [...known.values()].map((w) => [w.name, badge(w.state), w.version, w.providers.join(', '), String(w.maxConcurrentTasks), String(w.leasedTasks), String(w.tasksDone), String(w.tasksRefused), num(w.tasksPerSecond, 1), w.scheduleLagP99Ms === null ? '–' : `${num(w.scheduleLagP99Ms, 1)} ms`, when(w.lastHeartbeatAt)]),
    { empty: 'No worker has registered. Start one with ltb worker.' }));
  draw();
  return subscribe('subscription { workerEvents { kind worker { id name state version providers maxConcurrentTasks leasedTasks tasksDone tasksRefused tasksPerSecond scheduleLagP99Ms lastHeartbeatAt } } }', {}, {
    next: ({ workerEvents }) => { known.set(workerEvents.worker.id, workerEvents.worker); draw(); },
  });
}

