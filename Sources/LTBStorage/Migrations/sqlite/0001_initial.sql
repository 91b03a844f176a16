-- LLM Test Bench schema for SQLite, the embedded default: the same tables as the PostgreSQL
-- schema (spec section 2.2). UUIDs are text, timestamps are Unix seconds (REAL), JSON and
-- arrays are JSON text; full-text search is an FTS5 index kept in step by triggers.

CREATE TABLE users (
    id TEXT PRIMARY KEY,
    username TEXT UNIQUE NOT NULL,
    email TEXT UNIQUE NOT NULL,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('admin', 'user', 'viewer')),
    api_key_hash TEXT,
    created_at REAL NOT NULL DEFAULT (unixepoch('subsec')),
    updated_at REAL NOT NULL DEFAULT (unixepoch('subsec')),
    last_login_at REAL,
    is_active INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX idx_users_email ON users(email);
CREATE INDEX idx_users_username ON users(username);
CREATE INDEX idx_users_api_key_hash ON users(api_key_hash);

CREATE TABLE providers (
    id TEXT PRIMARY KEY,
    name TEXT UNIQUE NOT NULL,
    type TEXT NOT NULL CHECK (type IN ('cloud', 'local', 'custom')),
    kind TEXT NOT NULL,
    config TEXT NOT NULL,
    capabilities TEXT,
    api_version TEXT,
    is_active INTEGER NOT NULL DEFAULT 1,
    created_at REAL NOT NULL DEFAULT (unixepoch('subsec')),
    updated_at REAL NOT NULL DEFAULT (unixepoch('subsec'))
);
CREATE INDEX idx_providers_name ON providers(name);
CREATE INDEX idx_providers_type ON providers(type);

CREATE TABLE sessions (
    id TEXT PRIMARY KEY,
    name TEXT,
    description TEXT,
    user_id TEXT REFERENCES users(id) ON DELETE SET NULL,
    status TEXT NOT NULL DEFAULT 'pending'
        CHECK (status IN ('pending', 'running', 'completed', 'failed', 'cancelled')),
    config TEXT,
    tags TEXT,
    total_tasks INTEGER NOT NULL DEFAULT 0,
    stop_reason TEXT,
    created_us INTEGER NOT NULL,
    created_at REAL NOT NULL DEFAULT (unixepoch('subsec')),
    started_at REAL,
    completed_at REAL
);
CREATE INDEX idx_sessions_user_id ON sessions(user_id);
CREATE INDEX idx_sessions_status ON sessions(status);
CREATE INDEX idx_sessions_created_at ON sessions(created_at DESC);
CREATE INDEX idx_sessions_created_us ON sessions(created_us DESC, id DESC);

CREATE TABLE results (
    id TEXT PRIMARY KEY,
    session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    provider_id TEXT NOT NULL REFERENCES providers(id) ON DELETE CASCADE,
    provider TEXT NOT NULL,
    dataset_id TEXT,
    dataset TEXT NOT NULL,
    test_id TEXT NOT NULL,
    task_key TEXT NOT NULL,
    phase INTEGER NOT NULL DEFAULT 0,
    target_index INTEGER NOT NULL DEFAULT 0,
    repeat_index INTEGER NOT NULL DEFAULT 0,
    warmup INTEGER NOT NULL DEFAULT 0,
    status TEXT NOT NULL CHECK (status IN ('success', 'failure', 'timeout', 'skipped')),
    error_code TEXT,
    model TEXT NOT NULL,
    prompt TEXT NOT NULL,
    response TEXT,
    error TEXT,
    finish_reason TEXT,
    created_at REAL NOT NULL DEFAULT (unixepoch('subsec')),
    created_us INTEGER NOT NULL,
    duration_ms REAL NOT NULL,
    sent_offset_ms REAL NOT NULL DEFAULT 0,
    ttft_ms REAL,
    e2e_ms REAL,
    tpot_ms REAL,
    schedule_lag_ms REAL,
    timing TEXT,
    prompt_tokens INTEGER,
    completion_tokens INTEGER,
    total_tokens INTEGER,
    cached_tokens INTEGER,
    usage_source TEXT,
    evaluation_scores TEXT,
    faithfulness_score REAL,
    relevance_score REAL,
    coherence_score REAL,
    perplexity_score REAL,
    multi_modal_inputs TEXT,
    plugin_metrics TEXT,
    trace_id TEXT,
    span_id TEXT,
    category TEXT,
    tags TEXT,
    metadata TEXT,
    parameters TEXT,
    provider_metadata TEXT,
    server_timings TEXT,
    total_cost REAL,
    cost_details TEXT,
    cache_hit INTEGER NOT NULL DEFAULT 0,
    attempts INTEGER NOT NULL DEFAULT 1,
    cache_stats TEXT,
    UNIQUE (session_id, task_key)
);
CREATE INDEX idx_results_session_id ON results(session_id);
CREATE INDEX idx_results_provider_id ON results(provider_id);
CREATE INDEX idx_results_created_at ON results(created_at DESC);
CREATE INDEX idx_results_created_us ON results(created_us DESC, id DESC);
CREATE INDEX idx_results_status ON results(status);
CREATE INDEX idx_results_model ON results(model);
CREATE INDEX idx_results_trace_id ON results(trace_id);
CREATE INDEX idx_results_session_created ON results(session_id, created_us DESC, id DESC);
CREATE INDEX idx_results_provider_model ON results(provider, model, created_us DESC, id DESC);

CREATE VIRTUAL TABLE results_fts USING fts5(prompt, response, content='results', content_rowid='rowid');

CREATE TRIGGER results_fts_insert AFTER INSERT ON results BEGIN
    INSERT INTO results_fts(rowid, prompt, response) VALUES (new.rowid, new.prompt, COALESCE(new.response, ''));
END;

CREATE TRIGGER results_fts_delete AFTER DELETE ON results BEGIN
    INSERT INTO results_fts(results_fts, rowid, prompt, response)
    VALUES ('delete', old.rowid, old.prompt, COALESCE(old.response, ''));
END;

CREATE TRIGGER results_fts_update AFTER UPDATE OF prompt, response ON results BEGIN
    INSERT INTO results_fts(results_fts, rowid, prompt, response)
    VALUES ('delete', old.rowid, old.prompt, COALESCE(old.response, ''));
    INSERT INTO results_fts(rowid, prompt, response) VALUES (new.rowid, new.prompt, COALESCE(new.response, ''));
END;

CREATE TABLE alerts (
    id TEXT PRIMARY KEY,
    rule_id TEXT,
    severity TEXT NOT NULL CHECK (severity IN ('info', 'warning', 'error', 'critical')),
    message TEXT NOT NULL,
    details TEXT,
    triggered_at REAL NOT NULL DEFAULT (unixepoch('subsec')),
    resolved_at REAL,
    resolved_by TEXT REFERENCES users(id)
);
CREATE INDEX idx_alerts_severity ON alerts(severity);
CREATE INDEX idx_alerts_triggered_at ON alerts(triggered_at DESC);
CREATE INDEX idx_alerts_resolved ON alerts(resolved_at) WHERE resolved_at IS NULL;

CREATE TABLE plugins (
    id TEXT PRIMARY KEY,
    name TEXT UNIQUE NOT NULL,
    version TEXT NOT NULL,
    author TEXT,
    description TEXT,
    plugin_type TEXT NOT NULL
        CHECK (plugin_type IN ('evaluator', 'transformer', 'exporter', 'provider', 'notifier')),
    capabilities TEXT,
    config_schema TEXT,
    is_enabled INTEGER NOT NULL DEFAULT 1,
    file_path TEXT NOT NULL,
    file_hash TEXT NOT NULL,
    installed_at REAL NOT NULL DEFAULT (unixepoch('subsec')),
    installed_by TEXT REFERENCES users(id)
);
CREATE INDEX idx_plugins_name ON plugins(name);
CREATE INDEX idx_plugins_type ON plugins(plugin_type);
CREATE INDEX idx_plugins_enabled ON plugins(is_enabled);

CREATE TABLE audit_log (
    id TEXT PRIMARY KEY,
    user_id TEXT REFERENCES users(id),
    action TEXT NOT NULL,
    resource_type TEXT NOT NULL,
    resource_id TEXT,
    details TEXT,
    ip_address TEXT,
    user_agent TEXT,
    created_at REAL NOT NULL DEFAULT (unixepoch('subsec'))
);
CREATE INDEX idx_audit_log_user_id ON audit_log(user_id);
CREATE INDEX idx_audit_log_created_at ON audit_log(created_at DESC);
CREATE INDEX idx_audit_log_action ON audit_log(action);
CREATE INDEX idx_audit_log_resource ON audit_log(resource_type, resource_id);

CREATE TABLE model_profiles (
    id TEXT PRIMARY KEY,
    provider_id TEXT NOT NULL REFERENCES providers(id) ON DELETE CASCADE,
    model_name TEXT NOT NULL,
    typical_quality REAL,
    avg_latency_ms INTEGER,
    cost_per_1k_tokens REAL,
    context_limit INTEGER,
    strengths TEXT,
    sample_count INTEGER DEFAULT 0,
    last_updated REAL NOT NULL DEFAULT (unixepoch('subsec')),
    UNIQUE (provider_id, model_name)
);
CREATE INDEX idx_model_profiles_provider ON model_profiles(provider_id);
CREATE INDEX idx_model_profiles_quality ON model_profiles(typical_quality DESC);
CREATE INDEX idx_model_profiles_cost ON model_profiles(cost_per_1k_tokens ASC);

CREATE TABLE response_cache (
    cache_key TEXT PRIMARY KEY,
    provider TEXT NOT NULL,
    model TEXT NOT NULL,
    request TEXT NOT NULL,
    response TEXT NOT NULL,
    created_at REAL NOT NULL DEFAULT (unixepoch('subsec')),
    hits INTEGER NOT NULL DEFAULT 0
);

CREATE VIEW v_active_sessions AS
SELECT
    s.id,
    s.name,
    s.status,
    s.created_at,
    COUNT(r.id) AS total_tests,
    COUNT(r.id) FILTER (WHERE r.status = 'success') AS successful_tests,
    AVG(r.duration_ms) AS avg_duration_ms,
    SUM(r.total_cost) AS total_cost
FROM sessions s
LEFT JOIN results r ON s.id = r.session_id
WHERE s.status IN ('pending', 'running')
GROUP BY s.id, s.name, s.status, s.created_at;

-- SQLite has no PERCENTILE_CONT: the p95 column of the PostgreSQL view is left out here;
-- `ltb sessions show` computes percentiles in the application for both databases.
CREATE VIEW v_provider_performance AS
SELECT
    p.name AS provider_name,
    r.model,
    COUNT(r.id) AS total_requests,
    COUNT(r.id) FILTER (WHERE r.status = 'success') AS successful_requests,
    AVG(r.duration_ms) AS avg_latency_ms,
    AVG(r.total_cost) AS avg_cost,
    AVG(r.faithfulness_score) AS avg_faithfulness,
    AVG(r.relevance_score) AS avg_relevance
FROM providers p
JOIN results r ON p.id = r.provider_id
GROUP BY p.name, r.model;

CREATE TRIGGER trigger_users_updated_at AFTER UPDATE ON users
WHEN new.updated_at = old.updated_at BEGIN
    UPDATE users SET updated_at = unixepoch('subsec') WHERE id = new.id;
END;

CREATE TRIGGER trigger_providers_updated_at AFTER UPDATE ON providers
WHEN new.updated_at = old.updated_at BEGIN
    UPDATE providers SET updated_at = unixepoch('subsec') WHERE id = new.id;
END;
