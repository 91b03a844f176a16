// Sign in with a password, or with OpenID Connect when the server has it configured; the OIDC
// callback lands here with the token pair in the fragment.

import { login, remember, gql } from '../api.js';
import { h, fill, field, problem, query } from '../ui.js';

export async function render(main) {
  const parameters = query();
  const next = parameters.get('next') || '/sessions';
  if (location.hash.startsWith('#/oidc')) {
    const accessToken = parameters.get('access');
    remember({ accessToken, refreshToken: parameters.get('refresh'), expiresAt: parameters.get('expires'), user: { username: '', role: '', permissions: [] } });
    const data = await gql('{ me { id username email role permissions active } }');
    remember({ accessToken, refreshToken: parameters.get('refresh'), expiresAt: parameters.get('expires'), user: data.me });
    history.replaceState(null, '', '#/sessions');
    location.hash = '#/sessions';
    return;
  }
  let oidc = false;
  try { oidc = (await gql('{ health { oidc } }')).health.oidc; } catch { /* password sign-in still works */ }
  const username = h('input', { name: 'username', autocomplete: 'username', required: true });
  const password = h('input', { name: 'password', type: 'password', autocomplete: 'current-password', required: true });
  const message = h('div', { 'aria-live': 'assertive' });
  const form = h('form', { class: 'card narrow', novalidate: true },
    h('h1', {}, 'Sign in'),
    field('Username or email', username),
    field('Password', password),
    message,
    h('button', { type: 'submit', class: 'primary' }, 'Sign in'),
    oidc ? h('p', {}, h('a', { class: 'button', href: '/api/v1/auth/oidc/login' }, 'Sign in with your identity provider')) : null);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    fill(message);
    try {
      await login(username.value.trim(), password.value);
      location.hash = `#${next}`;
    } catch (error) {
      fill(message, problem(error));
      password.select();
    }
  });
  fill(main, form);
  username.focus();
}
