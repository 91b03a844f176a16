-- Alerting. The alerts table of 0001 was never written; it is replaced by one that keeps what
-- the rules engine knows of each alert: its rule, the session, provider and model it is about,
-- the figure and the bound, when it fired and resolved (microseconds since 1970), and who
-- acknowledged it.
DROP TABLE alerts;
CREATE TABLE alerts (
    id TEXT PRIMARY KEY,
    rule_id TEXT NOT NULL,
    rule_name TEXT NOT NULL,
    severity TEXT NOT NULL CHECK (severity IN ('info', 'warning', 'error', 'critical')),
    message TEXT NOT NULL,
    details TEXT NOT NULL DEFAULT '{}',
    session_id TEXT,
    provider TEXT,
    model TEXT,
    value REAL,
    threshold REAL,
    triggered_us INTEGER NOT NULL,
    resolved_us INTEGER,
    acknowledged_us INTEGER,
    acknowledged_by TEXT REFERENCES users(id) ON DELETE SET NULL
);
CREATE INDEX idx_alerts_triggered ON alerts(triggered_us DESC, id);
CREATE INDEX idx_alerts_open ON alerts(triggered_us) WHERE resolved_us IS NULL;
CREATE INDEX idx_alerts_session ON alerts(session_id);

-- Rules defined through the API (the configuration's and the suites' live in their files).
CREATE TABLE alert_rules (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    definition TEXT NOT NULL,
    created_by TEXT REFERENCES users(id) ON DELETE SET NULL,
    created_us INTEGER NOT NULL,
    updated_us INTEGER NOT NULL
);

-- Each alert's notification to each channel, for firing and for resolution: delivered or
-- failed after its retries, with the last error.
CREATE TABLE alert_deliveries (
    alert_id TEXT NOT NULL REFERENCES alerts(id) ON DELETE CASCADE,
    channel TEXT NOT NULL,
    event TEXT NOT NULL CHECK (event IN ('firing', 'resolved')),
    status TEXT NOT NULL CHECK (status IN ('delivered', 'failed')),
    attempts INTEGER NOT NULL,
    last_error TEXT,
    updated_us INTEGER NOT NULL,
    PRIMARY KEY (alert_id, channel, event)
);
