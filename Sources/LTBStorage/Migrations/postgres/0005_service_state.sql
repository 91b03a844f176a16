-- Service state kept in the database. First, the grading that produced a session's verdicts:
-- when it ran, with which judge and embedder, and the evaluation cache's hits and misses during
-- it (`Session.evaluation`).
ALTER TABLE sessions ADD COLUMN evaluation_run JSONB;

-- Providers added through the API (`addProvider`): their settings, without keys; NULL for
-- providers that only appear because results name them.
ALTER TABLE providers ADD COLUMN managed_config JSONB;
