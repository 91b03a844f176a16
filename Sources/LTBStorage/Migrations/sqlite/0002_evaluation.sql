-- Evaluation: what each case expects and the generated tokens' logprobs (kept with each result),
-- per-metric verdicts, per-response case verdicts, the evaluation cache, richer model profiles.
ALTER TABLE results ADD COLUMN logprobs TEXT;
ALTER TABLE results ADD COLUMN expectations TEXT;

CREATE TABLE evaluations (
    result_id TEXT NOT NULL REFERENCES results(id) ON DELETE CASCADE,
    session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    test_id TEXT NOT NULL,
    metric TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('scored', 'error', 'unavailable')),
    score REAL,
    passed INTEGER,
    judge_cost REAL,
    record TEXT NOT NULL,
    created_at REAL NOT NULL DEFAULT (unixepoch('subsec')),
    PRIMARY KEY (result_id, metric)
);
CREATE INDEX evaluations_session ON evaluations (session_id, metric);

CREATE TABLE case_evaluations (
    result_id TEXT PRIMARY KEY REFERENCES results(id) ON DELETE CASCADE,
    session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    test_id TEXT NOT NULL,
    verdict TEXT NOT NULL CHECK (verdict IN ('pass', 'fail', 'error')),
    score REAL,
    record TEXT NOT NULL,
    created_at REAL NOT NULL DEFAULT (unixepoch('subsec'))
);
CREATE INDEX case_evaluations_session ON case_evaluations (session_id);

CREATE TABLE evaluation_cache (
    cache_key TEXT PRIMARY KEY,
    evaluator TEXT NOT NULL,
    outcome TEXT NOT NULL,
    created_at REAL NOT NULL DEFAULT (unixepoch('subsec')),
    hits INTEGER NOT NULL DEFAULT 0
);

ALTER TABLE model_profiles ADD COLUMN profile TEXT;
