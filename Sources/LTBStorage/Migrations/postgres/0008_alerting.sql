-- Alerting. The alerts table of 0001 was never written; it is replaced by one that keeps what
-- the rules engine knows of each alert: its rule, the session, provider and model it is about,
-- the figure and the bound, when it fired and resolved (microseconds since 1970), and who
-- acknowledged it.
DROP TABLE alerts;
CREATE TABLE alerts (
    id UUID PRIMARY KEY,
    rule_id UUID NOT NULL,
    rule_name TEXT NOT NULL,
    severity TEXT NOT NULL CHECK (severity IN ('info', 'warning', 'error', 'critical')),
    message TEXT NOT NULL,
    details JSONB NOT NULL DEFAULT '{}',
    session_id UUID,
    provider TEXT,
    model TEXT,
    value DOUBLE PRECISION,
    threshold DOUBLE PRECISION,
    triggered_us BIGINT NOT NULL,
    resolved_us BIGINT,
    acknowledged_us BIGINT,
    acknowledged_by UUID REFERENCES users(id) ON DELETE SET NULL
);
CREATE INDEX idx_alerts_triggered ON alerts(triggered_us DESC, id);
CREATE INDEX idx_alerts_open ON alerts(triggered_us) WHERE resolved_us IS NULL;
CREATE INDEX idx_alerts_session ON alerts(session_id);

-- Rules defined through the API (the configuration's and the suites' live in their files).
CREATE TABLE alert_rules (
    id UUID PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    definition JSONB NOT NULL,
    created_by UUID REFERENCES users(id) ON DELETE SET NULL,
    created_us BIGINT NOT NULL,
    updated_us BIGINT NOT NULL
);

-- Each alert's notification to each channel, for firing and for resolution: delivered or
-- failed after its retries, with the last error.
CREATE TABLE alert_deliveries (
    alert_id UUID NOT NULL REFERENCES alerts(id) ON DELETE CASCADE,
    channel TEXT NOT NULL,
    event TEXT NOT NULL CHECK (event IN ('firing', 'resolved')),
    status TEXT NOT NULL CHECK (status IN ('delivered', 'failed')),
    attempts INTEGER NOT NULL,
    last_error TEXT,
    updated_us BIGINT NOT NULL,
    PRIMARY KEY (alert_id, channel, event)
);
