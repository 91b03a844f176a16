// The explorer is one self-contained page (no CDN, no external files): it is written here and
// served from the binary at GET /graphql when a browser asks for HTML.

/// The built-in GraphQL explorer: a schema browser read by introspection, a query editor with
/// variables and operation name, and a runner for queries and mutations (POST /graphql) and
/// subscriptions (graphql-transport-ws over WebSocket on the same path).
public enum ExplorerPage {
  /// The page's security policy: its own inline script and style, connections to this origin only.
  public static let contentSecurityPolicy =
    "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self' ws: wss:; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

  /// The HTML document.
  public static let html = #"""
    <!doctype html>
    <html lang="en">
    <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>LLM Test Bench · GraphQL explorer</title>
    <style>
      :root { --bg: #fbfbfa; --panel: #fff; --line: #dedcd6; --ink: #1d1d1b; --muted: #6b6860; --accent: #2b5fad; --bad: #b3261e; --good: #2e7d32; }
      * { box-sizing: border-box; }
      body { margin: 0; font: 14px/1.45 system-ui, sans-serif; color: var(--ink); background: var(--bg); height: 100vh; display: flex; flex-direction: column; }
      header { display: flex; gap: 12px; align-items: center; padding: 8px 14px; border-bottom: 1px solid var(--line); background: var(--panel); }
      header h1 { font-size: 15px; margin: 0; font-weight: 600; }
      header .status { margin-left: auto; color: var(--muted); font-size: 13px; }
      main { flex: 1; display: grid; grid-template-columns: 300px 1fr 1fr; min-height: 0; }
      section { display: flex; flex-direction: column; min-height: 0; border-right: 1px solid var(--line); }
      h2 { font-size: 12px; text-transform: uppercase; letter-spacing: .05em; color: var(--muted); margin: 10px 12px 6px; }
      #search { margin: 0 12px 8px; padding: 5px 8px; border: 1px solid var(--line); border-radius: 4px; }
      #schema { overflow: auto; padding: 0 12px 12px; flex: 1; }
      #schema ul { list-style: none; padding: 0; margin: 0 0 10px; }
      #schema li { padding: 2px 0; }
      #schema a { color: var(--accent); cursor: pointer; text-decoration: none; }
      #schema a:hover { text-decoration: underline; }
      .doc { color: var(--muted); font-size: 12.5px; margin: 2px 0 6px; }
      .field { font-family: ui-monospace, monospace; font-size: 12.5px; }
      .type { color: #7a3e9d; }
      textarea, pre { font: 13px/1.45 ui-monospace, SFMono-Regular, Menlo, monospace; }
      textarea { border: 0; border-top: 1px solid var(--line); padding: 10px 12px; resize: none; outline: none; background: var(--panel); }
      #query { flex: 3; }
      #variables { flex: 1; }
      .bar { display: flex; gap: 8px; align-items: center; padding: 8px 12px; border-top: 1px solid var(--line); }
      .bar input { flex: 1; padding: 5px 8px; border: 1px solid var(--line); border-radius: 4px; }
      button { padding: 6px 14px; border: 1px solid var(--accent); background: var(--accent); color: #fff; border-radius: 4px; cursor: pointer; }
      button.secondary { background: #fff; color: var(--accent); }
      button:disabled { opacity: .5; cursor: default; }
      #result { flex: 1; margin: 0; padding: 10px 12px; overflow: auto; white-space: pre-wrap; word-break: break-word; background: var(--panel); }
      .error { color: var(--bad); }
      .live { color: var(--good); }
    </style>
    </head>
    <body>
    <header>
      <h1>LLM Test Bench · GraphQL explorer</h1>
      <span id="endpoint"></span>
      <span class="status" id="status">loading the schema…</span>
    </header>
    <main>
      <section aria-label="Schema">
        <h2>Schema</h2>
        <label for="search" class="doc" style="margin: 0 12px 4px">Filter fields and types</label>
        <input id="search" type="search" aria-label="Filter the schema">
        <div id="schema"></div>
      </section>
      <section aria-label="Operation">
        <h2>Operation <span class="doc">(Ctrl+Enter runs)</span></h2>
        <textarea id="query" spellcheck="false" aria-label="Query">{
      health { status version database }
    }</textarea>
        <h2>Variables (JSON)</h2>
        <textarea id="variables" spellcheck="false" aria-label="Variables">{}</textarea>
        <div class="bar">
          <label for="token" class="doc">Access token or API key</label>
          <input id="token" type="password" autocomplete="off" aria-label="Access token or API key">
        </div>
        <div class="bar">
          <label for="operationName" class="doc">Operation name (optional)</label>
          <input id="operationName" aria-label="Operation name">
          <button id="run">Run</button>
          <button id="stop" class="secondary" disabled>Stop</button>
        </div>
      </section>
      <section aria-label="Result" style="border-right: 0">
        <h2>Result <span id="events" class="doc"></span></h2>
        <pre id="result" aria-live="polite"></pre>
      </section>
    </main>
    <script>
    "use strict";
    const endpoint = location.origin + location.pathname;
    const $ = (id) => document.getElementById(id);
    const state = { types: {}, roots: {}, socket: null, events: 0 };
    $("endpoint").textContent = endpoint;

    const typeRef = "kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name } } } }";
    const introspection = `{ __schema { queryType { name } mutationType { name } subscriptionType { name }
      types { kind name description
        fields { name description args { name description defaultValue type { ${typeRef} } } type { ${typeRef} } }
        inputFields { name description defaultValue type { ${typeRef} } }
        enumValues { name description } } } }`;

    function typeName(t) {
      if (t.kind === "NON_NULL") return typeName(t.ofType) + "!";
      if (t.kind === "LIST") return "[" + typeName(t.ofType) + "]";
      return t.name;
    }
    function namedType(t) { return t.ofType ? namedType(t.ofType) : t.name; }
    function el(tag, attributes, ...children) {
      const node = document.createElement(tag);
      Object.entries(attributes || {}).forEach(([key, value]) => {
        if (key === "onclick") node.addEventListener("click", value); else node.setAttribute(key, value);
      });
      children.flat().forEach((child) => node.append(child));
      return node;
    }
    function typeLink(t) {
      return el("a", { class: "type", onclick: () => showType(namedType(t)) }, typeName(t));
    }

    function credential() {
      const token = $("token").value.trim();
      sessionStorage.setItem("ltb-token", token);
      return token;
    }

    async function post(body) {
      const headers = { "Content-Type": "application/json", "Accept": "application/json" };
      const token = credential();
      if (token) headers["Authorization"] = "Bearer " + token;
      const response = await fetch(endpoint, { method: "POST", headers, body: JSON.stringify(body) });
      return response.json();
    }

    async function loadSchema() {
      try {
        const answer = await post({ query: introspection });
        if (answer.errors) throw new Error(answer.errors.map((e) => e.message).join("; "));
        const schema = answer.data.__schema;
        schema.types.forEach((t) => { state.types[t.name] = t; });
        state.roots = { query: schema.queryType?.name, mutation: schema.mutationType?.name,
          subscription: schema.subscriptionType?.name };
        $("status").textContent = `schema loaded: ${schema.types.filter((t) => !t.name.startsWith("__")).length} types`;
        showRoots();
      } catch (error) {
        $("status").textContent = "schema unavailable";
        $("schema").replaceChildren(el("p", { class: "error" }, "Cannot read the schema: " + error.message));
      }
    }

    function matches(text) {
      const filter = $("search").value.trim().toLowerCase();
      return !filter || text.toLowerCase().includes(filter);
    }

    function showRoots() {
      const parts = [];
      for (const [operation, name] of Object.entries(state.roots)) {
        const type = name && state.types[name];
        if (!type) continue;
        const items = type.fields.filter((f) => matches(f.name + " " + (f.description || ""))).map((f) =>
          el("li", { class: "field" },
            el("a", { onclick: () => insert(operation, f), title: "Insert into the editor" }, f.name), ": ",
            typeLink(f.type), el("div", { class: "doc" }, f.description || "")));
        parts.push(el("h2", {}, operation), el("ul", { "data-root": operation }, items));
      }
      const named = Object.values(state.types)
        .filter((t) => !t.name.startsWith("__") && !Object.values(state.roots).includes(t.name) && matches(t.name))
        .sort((a, b) => a.name.localeCompare(b.name))
        .map((t) => el("li", {}, el("a", { onclick: () => showType(t.name) }, t.name), " ",
          el("span", { class: "doc" }, t.kind.toLowerCase())));
      parts.push(el("h2", {}, "types"), el("ul", { id: "types" }, named));
      $("schema").replaceChildren(...parts);
    }

    function showType(name) {
      const type = state.types[name];
      if (!type) return;
      const rows = (type.fields || type.inputFields || []).map((f) =>
        el("li", { class: "field" }, f.name,
          f.args && f.args.length ? "(" + f.args.map((a) => a.name + ": " + typeName(a.type)).join(", ") + ")" : "",
          ": ", typeLink(f.type), el("div", { class: "doc" }, f.description || "")));
      const values = (type.enumValues || []).map((v) =>
        el("li", { class: "field" }, v.name, el("div", { class: "doc" }, v.description || "")));
      $("schema").replaceChildren(
        el("a", { onclick: showRoots }, "← schema"),
        el("h2", {}, type.kind.toLowerCase() + " " + type.name),
        el("div", { class: "doc" }, type.description || ""),
        el("ul", { id: "fields" }, rows, values));
    }

    // A skeleton operation for a root field: its required arguments as variables, and the
    // scalar fields of its type (one level of objects deep).
    function selection(t, depth) {
      const type = state.types[namedType(t)];
      if (!type || !type.fields) return "";
      const fields = type.fields.filter((f) => !f.args.some((a) => a.type.kind === "NON_NULL"));
      const lines = fields.map((f) => {
        const inner = state.types[namedType(f.type)];
        if (inner && inner.fields) return depth > 0 ? `${f.name} ${selection(f.type, depth - 1)}` : null;
        return f.name;
      }).filter(Boolean);
      return lines.length ? "{ " + lines.join(" ") + " }" : "";
    }
    function insert(operation, field) {
      const required = field.args.filter((a) => a.type.kind === "NON_NULL");
      const declared = required.map((a) => `$${a.name}: ${typeName(a.type)}`).join(", ");
      const passed = required.map((a) => `${a.name}: $${a.name}`).join(", ");
      $("query").value = `${operation}${declared ? "(" + declared + ")" : ""} {\n  ${field.name}` +
        `${passed ? "(" + passed + ")" : ""} ${selection(field.type, 1)}\n}`;
      $("variables").value = JSON.stringify(Object.fromEntries(required.map((a) => [a.name, null])), null, 2);
    }

    function show(value, isError) {
      $("result").className = isError ? "error" : "";
      $("result").textContent = typeof value === "string" ? value : JSON.stringify(value, null, 2);
    }

    function isSubscription(query, operationName) {
      const pattern = operationName ? new RegExp("subscription\\s+" + operationName + "\\b") : /^\s*subscription\b/m;
      return pattern.test(query.replace(/#.*$/gm, ""));
    }

    async function run() {
      stop();
      const query = $("query").value;
      const operationName = $("operationName").value.trim() || undefined;
      let variables;
      try { variables = JSON.parse($("variables").value || "{}"); }
      catch (error) { show("The variables are not JSON: " + error.message, true); return; }
      if (isSubscription(query, operationName)) { subscribe({ query, variables, operationName }); return; }
      $("status").textContent = "running…";
      const started = performance.now();
      try {
        const answer = await post({ query, variables, operationName });
        show(answer, Boolean(answer.errors));
        $("status").textContent = `answered in ${Math.round(performance.now() - started)} ms`;
      } catch (error) {
        show("The request failed: " + error.message, true);
        $("status").textContent = "request failed";
      }
    }

    function subscribe(payload) {
      const socket = new WebSocket(endpoint.replace(/^http/, "ws"), "graphql-transport-ws");
      state.socket = socket;
      state.events = 0;
      const log = [];
      $("stop").disabled = false;
      $("events").textContent = "";
      show("connecting…");
      socket.onopen = () =>
        socket.send(JSON.stringify({ type: "connection_init", payload: { token: credential() } }));
      socket.onmessage = (message) => {
        const data = JSON.parse(message.data);
        if (data.type === "connection_ack") {
          socket.send(JSON.stringify({ id: "1", type: "subscribe", payload }));
          $("status").innerHTML = '<span class="live">subscribed</span>';
          show("waiting for events…");
        } else if (data.type === "ping") {
          socket.send(JSON.stringify({ type: "pong" }));
        } else if (data.type === "next") {
          state.events += 1;
          log.unshift(data.payload);
          $("events").textContent = `(${state.events} events, newest first)`;
          show(log.slice(0, 200));
        } else if (data.type === "error") {
          show(data.payload, true);
        } else if (data.type === "complete") {
          $("status").textContent = `subscription complete after ${state.events} events`;
          stop();
        }
      };
      socket.onclose = (event) => {
        if (state.socket === socket && event.code !== 1000) {
          $("status").textContent = `socket closed (${event.code}${event.reason ? ": " + event.reason : ""})`;
        }
        if (state.socket === socket) { state.socket = null; $("stop").disabled = true; }
      };
    }

    function stop() {
      const socket = state.socket;
      if (!socket) return;
      state.socket = null;
      $("stop").disabled = true;
      if (socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify({ id: "1", type: "complete" }));
      socket.close(1000);
    }

    $("run").addEventListener("click", run);
    $("stop").addEventListener("click", () => { stop(); $("status").textContent = "stopped"; });
    $("search").addEventListener("input", showRoots);
    document.addEventListener("keydown", (event) => {
      if ((event.ctrlKey || event.metaKey) && event.key === "Enter") { event.preventDefault(); run(); }
    });
    const preset = new URLSearchParams(location.search);
    if (preset.get("query")) $("query").value = preset.get("query");
    if (preset.get("variables")) $("variables").value = preset.get("variables");
    if (preset.get("operationName")) $("operationName").value = preset.get("operationName");
    $("token").value = sessionStorage.getItem("ltb-token") || "";
    loadSchema();
    </script>
    </body>
    </html>
    """#
}
