// The dashboard's only way to the server: the public GraphQL API over HTTP, signed in with the
// login mutation's token pair (refreshed before it expires, and once more on UNAUTHENTICATED).

const STORE = 'ltb.auth';

/** An error answered by the API, with its code and the fix it suggests. */
export class APIError extends Error {
  constructor(message, code, fix) {
    super(message);
    this.code = code || 'INTERNAL';
    this.fix = fix || '';
  }
}

/** The stored sign-in: { accessToken, refreshToken, expiresAt, user } or null. */
export function session() {
  try { return JSON.parse(localStorage.getItem(STORE)); } catch { return null; }
}

/** Stores a sign-in (an AuthPayload). */
export function remember(payload) {
  localStorage.setItem(STORE, JSON.stringify(payload));
  window.dispatchEvent(new CustomEvent('ltb-auth'));
}

/** Forgets the sign-in. */
export function forget() {
  localStorage.removeItem(STORE);
  window.dispatchEvent(new CustomEvent('ltb-auth'));
}

/** Whether the signed-in user holds a permission. */
export function can(permission) {
  return (session()?.user?.permissions || []).includes(permission);
}

const USER = 'id username email role permissions active';

let refreshing = null;

/** Exchanges the refresh token for a new pair (once at a time); false when that is refused. */
export function refresh() {
  const current = session();
  if (!current?.refreshToken) return Promise.resolve(false);
  refreshing ??= post(`mutation($t: String!) { refreshToken(refreshToken: $t) { accessToken refreshToken expiresAt user { ${USER} } } }`,
    { t: current.refreshToken }, null)
    .then((data) => { remember(data.refreshToken); return true; })
    .catch(() => { forget(); return false; })
    .finally(() => { refreshing = null; });
  return refreshing;
}

/** A valid access token, refreshed first when it expires within 30 seconds. */
export async function token() {
  let current = session();
  if (!current) return null;
  if (Date.parse(current.expiresAt) - Date.now() < 30_000) {
    if (!(await refresh())) return null;
    current = session();
  }
  return current.accessToken;
}

/** Signs in with a password. */
export async function login(username, password) {
  const data = await post(`mutation($u: String!, $p: String!) { login(username: $u, password: $p) { accessToken refreshToken expiresAt user { ${USER} } } }`,
    { u: username, p: password }, null);
  remember(data.login);
  return data.login;
}

/** Ends the sign-in on the server, then here. */
export async function logout() {
  const current = session();
  if (current?.refreshToken) {
    try { await post('mutation($t: String!) { logout(refreshToken: $t) }', { t: current.refreshToken }, null); } catch { /* signed out here anyway */ }
  }
  forget();
}

/** Runs a query or mutation as the signed-in user and returns its data. */
export async function gql(query, variables = {}) {
  try {
    return await post(query, variables, await token());
  } catch (error) {
    if (error.code === 'UNAUTHENTICATED' && await refresh()) return post(query, variables, await token());
    if (error.code === 'UNAUTHENTICATED') window.dispatchEvent(new CustomEvent('ltb-signed-out'));
    throw error;
  }
}

async function post(query, variables, bearer) {
  const headers = { 'Content-Type': 'application/json', Accept: 'application/json' };
  if (bearer) headers.Authorization = `Bearer ${bearer}`;
  let response;
  try {
    response = await fetch('/graphql', { method: 'POST', headers, body: JSON.stringify({ query, variables }) });
  } catch {
    throw new APIError('The server cannot be reached.', 'NETWORK', 'Check that ltb serve is running.');
  }
  let body;
  try { body = await response.json(); } catch {
    throw new APIError(`The server answered ${response.status} without JSON.`, 'INTERNAL');
  }
  const first = body.errors?.[0];
  if (first) throw new APIError(first.message, first.extensions?.code, first.extensions?.fix);
  return body.data;
}
