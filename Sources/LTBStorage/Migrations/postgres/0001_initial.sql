-- LLM Test Bench schema for PostgreSQL (spec section 2.2), with the columns the engine needs.
-- UUIDs come from gen_random_uuid() (built into PostgreSQL 13+); full-text search uses one
-- tsvector index over prompt and response with the 'simple' configuration (no stemming, no stop
-- words), so that a search finds the same rows as SQLite's FTS5 index does.

CREATE TABLE users (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    username VARCHAR(255) UNIQUE NOT NULL,
    email VARCHAR(255) UNIQUE NOT NULL,
    password_hash VARCHAR(255) NOT NULL,
    role VARCHAR(50) NOT NULL,
    api_key_hash VARCHAR(255),
    created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    last_login_at TIMESTAMPTZ,
    is_active BOOLEAN NOT NULL DEFAULT TRUE,
    CONSTRAINT users_role_check CHECK (role IN ('admin', 'user', 'viewer'))
);
CREATE INDEX idx_users_email ON users(email);
CREATE INDEX idx_users_username ON users(username);
CREATE INDEX idx_users_api_key_hash ON users(api_key_hash);

CREATE TABLE providers (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    name VARCHAR(255) UNIQUE NOT NULL,
    type VARCHAR(50) NOT NULL,
    kind VARCHAR(50) NOT NULL,
    config JSONB NOT NULL,
    capabilities JSONB,
    api_version VARCHAR(50),
    is_active BOOLEAN NOT NULL DEFAULT TRUE,
    created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    CONSTRAINT providers_type_check CHECK (type IN ('cloud', 'local', 'custom'))
);
CREATE INDEX idx_providers_name ON providers(name);
CREATE INDEX idx_providers_type ON providers(type);
CREATE INDEX idx_providers_capabilities ON providers USING GIN(capabilities);

CREATE TABLE sessions (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    name VARCHAR(255),
    description TEXT,
    user_id UUID REFERENCES users(id) ON DELETE SET NULL,
    status VARCHAR(50) NOT NULL DEFAULT 'pending',
    config JSONB,
    tags TEXT[],
    total_tasks INTEGER NOT NULL DEFAULT 0,
    stop_reason TEXT,
    created_us BIGINT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    started_at TIMESTAMPTZ,
    completed_at TIMESTAMPTZ,
    CONSTRAINT sessions_status_check CHECK (status IN ('pending', 'running', 'completed', 'failed', 'cancelled'))
);
CREATE INDEX idx_sessions_user_id ON sessions(user_id);
CREATE INDEX idx_sessions_status ON sessions(status);
CREATE INDEX idx_sessions_created_at ON sessions(created_at DESC);
CREATE INDEX idx_sessions_created_us ON sessions(created_us DESC, id DESC);
CREATE INDEX idx_sessions_tags ON sessions USING GIN(tags);

CREATE TABLE results (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    session_id UUID NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    provider_id UUID NOT NULL REFERENCES providers(id) ON DELETE CASCADE,
    provider VARCHAR(255) NOT NULL,
    dataset_id UUID,
    dataset VARCHAR(255) NOT NULL,
    test_id VARCHAR(255) NOT NULL,
    task_key VARCHAR(1024) NOT NULL,
    phase INTEGER NOT NULL DEFAULT 0,
    target_index INTEGER NOT NULL DEFAULT 0,
    repeat_index INTEGER NOT NULL DEFAULT 0,
    warmup BOOLEAN NOT NULL DEFAULT FALSE,
    status VARCHAR(50) NOT NULL,
    error_code VARCHAR(64),
    model VARCHAR(255) NOT NULL,
    prompt TEXT NOT NULL,
    response TEXT,
    error TEXT,
    finish_reason VARCHAR(32),
    created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    created_us BIGINT NOT NULL,
    duration_ms DOUBLE PRECISION NOT NULL,
    sent_offset_ms DOUBLE PRECISION NOT NULL DEFAULT 0,
    ttft_ms DOUBLE PRECISION,
    e2e_ms DOUBLE PRECISION,
    tpot_ms DOUBLE PRECISION,
    schedule_lag_ms DOUBLE PRECISION,
    timing JSONB,
    prompt_tokens INTEGER,
    completion_tokens INTEGER,
    total_tokens INTEGER,
    cached_tokens INTEGER,
    usage_source VARCHAR(16),
    evaluation_scores JSONB,
    faithfulness_score DOUBLE PRECISION,
    relevance_score DOUBLE PRECISION,
    coherence_score DOUBLE PRECISION,
    perplexity_score DOUBLE PRECISION,
    multi_modal_inputs JSONB,
    plugin_metrics JSONB,
    trace_id VARCHAR(255),
    span_id VARCHAR(255),
    category VARCHAR(255),
    tags TEXT[],
    metadata JSONB,
    parameters JSONB,
    provider_metadata JSONB,
    server_timings JSONB,
    total_cost DOUBLE PRECISION,
    cost_details JSONB,
    cache_hit BOOLEAN NOT NULL DEFAULT FALSE,
    attempts INTEGER NOT NULL DEFAULT 1,
    cache_stats JSONB,
    CONSTRAINT results_status_check CHECK (status IN ('success', 'failure', 'timeout', 'skipped')),
    CONSTRAINT results_task_unique UNIQUE (session_id, task_key)
);
CREATE INDEX idx_results_session_id ON results(session_id);
CREATE INDEX idx_results_provider_id ON results(provider_id);
CREATE INDEX idx_results_created_at ON results(created_at DESC);
CREATE INDEX idx_results_created_us ON results(created_us DESC, id DESC);
CREATE INDEX idx_results_status ON results(status);
CREATE INDEX idx_results_model ON results(model);
CREATE INDEX idx_results_tags ON results USING GIN(tags);
CREATE INDEX idx_results_evaluation_scores ON results USING GIN(evaluation_scores);
CREATE INDEX idx_results_trace_id ON results(trace_id);
CREATE INDEX idx_results_session_created ON results(session_id, created_us DESC, id DESC);
CREATE INDEX idx_results_provider_model ON results(provider, model, created_us DESC, id DESC);
CREATE INDEX idx_results_text ON results USING GIN(to_tsvector('simple', prompt || ' ' || COALESCE(response, '')));

CREATE TABLE alerts (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    rule_id UUID,
    severity VARCHAR(50) NOT NULL,
    message TEXT NOT NULL,
    details JSONB,
    triggered_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    resolved_at TIMESTAMPTZ,
    resolved_by UUID REFERENCES users(id),
    CONSTRAINT alerts_severity_check CHECK (severity IN ('info', 'warning', 'error', 'critical'))
);
CREATE INDEX idx_alerts_severity ON alerts(severity);
CREATE INDEX idx_alerts_triggered_at ON alerts(triggered_at DESC);
CREATE INDEX idx_alerts_resolved ON alerts(resolved_at) WHERE resolved_at IS NULL;

CREATE TABLE plugins (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    name VARCHAR(255) UNIQUE NOT NULL,
    version VARCHAR(50) NOT NULL,
    author VARCHAR(255),
    description TEXT,
    plugin_type VARCHAR(50) NOT NULL,
    capabilities JSONB,
    config_schema JSONB,
    is_enabled BOOLEAN NOT NULL DEFAULT TRUE,
    file_path TEXT NOT NULL,
    file_hash VARCHAR(255) NOT NULL,
    installed_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    installed_by UUID REFERENCES users(id),
    CONSTRAINT plugins_type_check CHECK (plugin_type IN ('evaluator', 'transformer', 'exporter', 'provider', 'notifier'))
);
CREATE INDEX idx_plugins_name ON plugins(name);
CREATE INDEX idx_plugins_type ON plugins(plugin_type);
CREATE INDEX idx_plugins_enabled ON plugins(is_enabled);

CREATE TABLE audit_log (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id UUID REFERENCES users(id),
    action VARCHAR(255) NOT NULL,
    resource_type VARCHAR(100) NOT NULL,
    resource_id UUID,
    details JSONB,
    ip_address INET,
    user_agent TEXT,
    created_at TIMESTAMPTZ NOT NULL DEFAULT NOW()
);
CREATE INDEX idx_audit_log_user_id ON audit_log(user_id);
CREATE INDEX idx_audit_log_created_at ON audit_log(created_at DESC);
CREATE INDEX idx_audit_log_action ON audit_log(action);
CREATE INDEX idx_audit_log_resource ON audit_log(resource_type, resource_id);

CREATE TABLE model_profiles (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    provider_id UUID NOT NULL REFERENCES providers(id) ON DELETE CASCADE,
    model_name VARCHAR(255) NOT NULL,
    typical_quality DOUBLE PRECISION,
    avg_latency_ms BIGINT,
    cost_per_1k_tokens DOUBLE PRECISION,
    context_limit INTEGER,
    strengths JSONB,
    sample_count INTEGER DEFAULT 0,
    last_updated TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    UNIQUE (provider_id, model_name)
);
CREATE INDEX idx_model_profiles_provider ON model_profiles(provider_id);
CREATE INDEX idx_model_profiles_quality ON model_profiles(typical_quality DESC);
CREATE INDEX idx_model_profiles_cost ON model_profiles(cost_per_1k_tokens ASC);

CREATE TABLE response_cache (
    cache_key VARCHAR(64) PRIMARY KEY,
    provider VARCHAR(255) NOT NULL,
    model VARCHAR(255) NOT NULL,
    request JSONB NOT NULL,
    response JSONB NOT NULL,
    created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
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

CREATE VIEW v_provider_performance AS
SELECT
    p.name AS provider_name,
    r.model,
    COUNT(r.id) AS total_requests,
    COUNT(r.id) FILTER (WHERE r.status = 'success') AS successful_requests,
    AVG(r.duration_ms) AS avg_latency_ms,
    PERCENTILE_CONT(0.95) WITHIN GROUP (ORDER BY r.duration_ms) AS p95_latency_ms,
    AVG(r.total_cost) AS avg_cost,
    AVG(r.faithfulness_score) AS avg_faithfulness,
    AVG(r.relevance_score) AS avg_relevance
FROM providers p
JOIN results r ON p.id = r.provider_id
GROUP BY p.name, r.model;

CREATE OR REPLACE FUNCTION update_updated_at_column()
RETURNS TRIGGER AS $$
BEGIN
    NEW.updated_at = NOW();
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER trigger_users_updated_at
BEFORE UPDATE ON users
FOR EACH ROW
EXECUTE FUNCTION update_updated_at_column();

CREATE TRIGGER trigger_providers_updated_at
BEFORE UPDATE ON providers
FOR EACH ROW
EXECUTE FUNCTION update_updated_at_column();
