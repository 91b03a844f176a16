-- Evaluation: what each case expects and the generated tokens' logprobs (kept with each result),
-- per-metric verdicts, per-response case verdicts, the evaluation cache, richer model profiles.
ALTER TABLE results ADD COLUMN logprobs JSONB;
ALTER TABLE results ADD COLUMN expectations JSONB;

CREATE TABLE evaluations (
    result_id UUID NOT NULL REFERENCES results(id) ON DELETE CASCADE,
    session_id UUID NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    test_id VARCHAR(255) NOT NULL,
    metric VARCHAR(255) NOT NULL,
    state VARCHAR(16) NOT NULL CHECK (state IN ('scored', 'error', 'unavailable')),
    score DOUBLE PRECISION,
    passed BOOLEAN,
    judge_cost DOUBLE PRECISION,
    record JSONB NOT NULL,
    created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    PRIMARY KEY (result_id, metric)
);
CREATE INDEX evaluations_session ON evaluations (session_id, metric);

CREATE TABLE case_evaluations (
    result_id UUID PRIMARY KEY REFERENCES results(id) ON DELETE CASCADE,
    session_id UUID NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    test_id VARCHAR(255) NOT NULL,
    verdict VARCHAR(8) NOT NULL CHECK (verdict IN ('pass', 'fail', 'error')),
    score DOUBLE PRECISION,
    record JSONB NOT NULL,
    created_at TIMESTAMPTZ NOT NULL DEFAULT NOW()
);
CREATE INDEX case_evaluations_session ON case_evaluations (session_id);

CREATE TABLE evaluation_cache (
    cache_key VARCHAR(128) PRIMARY KEY,
    evaluator VARCHAR(255) NOT NULL,
    outcome TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    hits INTEGER NOT NULL DEFAULT 0
);

ALTER TABLE model_profiles ADD COLUMN profile JSONB;
