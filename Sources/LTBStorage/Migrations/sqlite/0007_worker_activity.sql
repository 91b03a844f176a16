-- What the coordinator saw of each worker, written at its heartbeats: results it reported
-- (accepted, and refused as stale), its recent rate and schedule lag, and its ltb version; the
-- workers query and /metrics read them.
ALTER TABLE workers ADD COLUMN version TEXT NOT NULL DEFAULT '';
ALTER TABLE workers ADD COLUMN tasks_done INTEGER NOT NULL DEFAULT 0;
ALTER TABLE workers ADD COLUMN tasks_refused INTEGER NOT NULL DEFAULT 0;
ALTER TABLE workers ADD COLUMN tasks_per_second REAL NOT NULL DEFAULT 0;
ALTER TABLE workers ADD COLUMN lag_p50_ms REAL;
ALTER TABLE workers ADD COLUMN lag_p99_ms REAL;
