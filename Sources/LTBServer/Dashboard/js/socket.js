// Subscriptions over one WebSocket (graphql-transport-ws), shared by every page. The socket
// reconnects by itself with backoff, signs in again with a fresh token, and resubscribes what
// is still wanted; a page sees only `next`, `error` and `complete`.

import { token, refresh } from './api.js';

const wanted = new Map(); // id -> { payload, sink }
let socket = null;
let ready = false;
let attempts = 0;
let nextID = 1;
let timer = null;
const listeners = new Set();

/** Calls `listener(state)` with 'connecting', 'open' or 'closed'; returns its removal. */
export function onState(listener) {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

function announce(state) { for (const listener of listeners) listener(state); }

/** Subscribes; returns a function that ends the subscription. */
export function subscribe(query, variables, sink) {
  const id = String(nextID++);
  wanted.set(id, { payload: { query, variables }, sink });
  if (ready) send({ id, type: 'subscribe', payload: { query, variables } });
  else connect();
  return () => {
    if (!wanted.delete(id)) return;
    if (ready) send({ id, type: 'complete' });
    if (wanted.size === 0) setTimeout(() => { if (wanted.size === 0) close(); }, 5_000);
  };
}

/** Drops the socket at once (the test of reconnection uses it too). */
export function drop() { socket?.close(4000, 'dropped'); }

function close() {
  clearTimeout(timer);
  const current = socket;
  socket = null;
  ready = false;
  current?.close(1000, 'done');
}

function send(message) { socket?.send(JSON.stringify(message)); }

async function connect() {
  if (socket) return;
  clearTimeout(timer);
  announce('connecting');
  const bearer = await token();
  if (socket) return;
  const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/graphql`;
  const current = new WebSocket(url, 'graphql-transport-ws');
  socket = current;
  current.onopen = () => current.send(JSON.stringify({ type: 'connection_init', payload: bearer ? { token: bearer } : {} }));
  current.onmessage = (event) => {
    let message;
    try { message = JSON.parse(event.data); } catch { return; }
    if (message.type === 'connection_ack') {
      ready = true;
      attempts = 0;
      announce('open');
      for (const [id, { payload }] of wanted) send({ id, type: 'subscribe', payload });
    } else if (message.type === 'ping') {
      send({ type: 'pong' });
    } else if (message.type === 'next') {
      const entry = wanted.get(message.id);
      if (message.payload?.errors?.length) entry?.sink.error?.(message.payload.errors[0]);
      else entry?.sink.next?.(message.payload.data);
    } else if (message.type === 'error') {
      const entry = wanted.get(message.id);
      wanted.delete(message.id);
      entry?.sink.error?.(message.payload?.[0] || { message: 'subscription refused' });
    } else if (message.type === 'complete') {
      const entry = wanted.get(message.id);
      wanted.delete(message.id);
      entry?.sink.complete?.();
    }
  };
  current.onclose = async (event) => {
    if (socket !== current) return;
    socket = null;
    ready = false;
    announce('closed');
    if (wanted.size === 0) return;
    if (event.code === 4403 || event.code === 4401) await refresh();
    const delay = Math.min(10_000, 250 * 2 ** attempts++);
    timer = setTimeout(connect, delay);
  };
}
