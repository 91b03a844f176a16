// The shell: theme, navigation by permission, and the hash router. Every route is a URL that can
// be shared; a page returns a cleanup function that ends its subscriptions when left.

import { session, logout, can } from './api.js';
import { drop } from './socket.js';
import { h, fill, problem } from './ui.js';
import * as login from './pages/login.js';
import * as sessions from './pages/sessions.js';
import * as start from './pages/start.js';
import * as run from './pages/run.js';
import * as results from './pages/results.js';
import * as result from './pages/result.js';
import * as compare from './pages/compare.js';
import * as admin from './pages/admin.js';

const routes = [
  { pattern: /^\/login$/, page: login, open: true },
  { pattern: /^\/oidc$/, page: login, open: true },
  { pattern: /^\/sessions$/, page: sessions },
  { pattern: /^\/sessions\/new$/, page: start, permission: 'RUN_BENCHMARK' },
  { pattern: /^\/sessions\/([0-9a-f-]{36})$/, page: run },
  { pattern: /^\/sessions\/([0-9a-f-]{36})\/results$/, page: results },
  { pattern: /^\/results\/([0-9a-f-]{36})$/, page: result },
  { pattern: /^\/compare$/, page: compare },
  { pattern: /^\/admin\/([a-z-]+)$/, page: admin },
];

const links = [
  ['#/sessions', 'Sessions'],
  ['#/sessions/new', 'New run', 'RUN_BENCHMARK'],
  ['#/compare', 'Compare'],
  ['#/admin/keys', 'API keys'],
  ['#/admin/users', 'Admin', 'MANAGE_USERS'],
];

let cleanup = null;

function theme() {
  const stored = localStorage.getItem('ltb.theme');
  const dark = stored ? stored === 'dark' : matchMedia('(prefers-color-scheme: dark)').matches;
  document.documentElement.dataset.theme = dark ? 'dark' : 'light';
}

function chrome() {
  const current = session();
  const nav = document.getElementById('nav');
  fill(nav, current ? h('ul', {}, links.filter(([, , permission]) => !permission || can(permission)).map(([href, label]) => {
    const here = location.hash.startsWith(href) && !(href === '#/sessions' && location.hash.startsWith('#/sessions/new'));
    return h('li', {}, h('a', { href, 'aria-current': here ? 'page' : null }, label));
  })) : null);
  document.getElementById('who').textContent = current ? `${current.user.username} · ${current.user.role.toLowerCase()}` : '';
  document.getElementById('signout').hidden = !current;
}

async function route() {
  if (cleanup) { try { cleanup(); } catch { /* the old page is gone anyway */ } cleanup = null; }
  const hash = location.hash.slice(1) || '/sessions';
  const path = hash.split('?')[0];
  const main = document.getElementById('main');
  const found = routes.map((r) => ({ r, m: path.match(r.pattern) })).find((x) => x.m);
  chrome();
  if (!found) { fill(main, h('h1', {}, 'Not found'), h('p', {}, `No page at ${path}. `, h('a', { href: '#/sessions' }, 'Go to sessions'))); return; }
  if (!found.r.open && !session()) { location.hash = `#/login?next=${encodeURIComponent(hash)}`; return; }
  if (found.r.permission && !can(found.r.permission)) {
    fill(main, h('h1', {}, 'Not allowed'), problem({ message: `Your role cannot open this page (it needs ${found.r.permission}).`, fix: 'ask an admin for a role that has it' }));
    return;
  }
  fill(main, h('p', { class: 'muted' }, 'Loading…'));
  try {
    cleanup = (await found.r.page.render(main, found.m.slice(1))) || null;
  } catch (error) {
    fill(main, h('h1', {}, 'Something went wrong'), problem(error));
  }
  document.title = `${main.querySelector('h1')?.textContent || 'Dashboard'} · LLM Test Bench`;
}

theme();
document.getElementById('theme').addEventListener('click', () => {
  const dark = document.documentElement.dataset.theme !== 'dark';
  localStorage.setItem('ltb.theme', dark ? 'dark' : 'light');
  theme();
});
document.getElementById('signout').addEventListener('click', async () => { await logout(); location.hash = '#/login'; });
window.addEventListener('hashchange', route);
// Drops the subscription socket (it reconnects by itself); the browser test uses it.
window.addEventListener('ltb-drop-socket', drop);
window.addEventListener('ltb-signed-out', () => { if (!location.hash.startsWith('#/login')) location.hash = '#/login'; });
window.addEventListener('ltb-auth', chrome);
route();
