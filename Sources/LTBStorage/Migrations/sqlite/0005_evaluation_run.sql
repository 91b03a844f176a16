-- The evaluation run that produced a session's verdicts: when it ran, with which judge and
-- embedder, and the evaluation cache's hits and misses during it (`Session.evaluation`).
ALTER TABLE sessions ADD COLUMN evaluation_run TEXT;
