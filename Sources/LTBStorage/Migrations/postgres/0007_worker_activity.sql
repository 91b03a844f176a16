-- What the coordinator saw of each worker, written at its heartbeats: results it reported
-- (accepted, and refused as stale), its recent rate and schedule lag, and its ltb version; the
-- workers query and /metrics read them.
ALTER TABLE workers ADD COLUMN version TEXT NOT NULL DEFAULT '';
ALTER TABLE workers ADD COLUMN tasks_done BIGINT NOT NULL DEFAULT 0;
ALTER TABLE workers ADD COLUMN tasks_refused BIGINT NOT NULL DEFAULT 0;
ALTER TABLE workers ADD COLUMN tasks_per_second DOUBLE PRECISION NOT NULL DEFAULT 0;
ALTER TABLE workers ADD COLUMN lag_p50_ms DOUBLE PRECISION;
ALTER TABLE workers ADD COLUMN lag_p99_ms DOUBLE PRECISION;
