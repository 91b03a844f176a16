-- Exports of sessions to experiment trackers (MLflow, W&B, LangSmith): one row per session and
-- tracker, with where it stands, so that an export the tracker refused is retried and its state
-- is shown on the session. Times in microseconds since 1970.
CREATE TABLE session_exports (
    session_id UUID NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    tracker TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('pending', 'running', 'retrying', 'complete', 'failed')),
    experiment TEXT NOT NULL DEFAULT '',
    attempts BIGINT NOT NULL DEFAULT 0,
    last_error TEXT,
    external_id TEXT,
    external_url TEXT,
    requested_by UUID REFERENCES users(id) ON DELETE SET NULL,
    requested_us BIGINT NOT NULL,
    updated_us BIGINT NOT NULL,
    next_attempt_us BIGINT NOT NULL,
    PRIMARY KEY (session_id, tracker)
);
CREATE INDEX session_exports_due ON session_exports (state, next_attempt_us);
