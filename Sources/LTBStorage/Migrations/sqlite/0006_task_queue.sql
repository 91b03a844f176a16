-- Distributed runs: a session's planned tasks queued in the database for workers. A worker leases
-- a batch (the lease expires unless its heartbeats renew it); every lease increments the task's
-- fence, and a report is accepted only with the fence of the lease it answers, so a worker that
-- lost its lease (stopped, partitioned, too slow) cannot store a second result for the task.
-- On SQLite one coordinator owns the queue (one writer).
CREATE TABLE queue_tasks (
    session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    task_key TEXT NOT NULL,
    provider TEXT NOT NULL,
    payload TEXT NOT NULL,
    send_at_us INTEGER NOT NULL,
    state VARCHAR(16) NOT NULL DEFAULT 'queued',
    worker_id TEXT,
    lease_expires_us INTEGER,
    fence INTEGER NOT NULL DEFAULT 0,
    attempts INTEGER NOT NULL DEFAULT 0,
    max_attempts INTEGER NOT NULL DEFAULT 3,
    PRIMARY KEY (session_id, task_key),
    CONSTRAINT queue_tasks_state_check CHECK (state IN ('queued', 'leased', 'done', 'failed', 'cancelled'))
);
CREATE INDEX idx_queue_tasks_ready ON queue_tasks(provider, send_at_us, task_key) WHERE state = 'queued';
CREATE INDEX idx_queue_tasks_leases ON queue_tasks(lease_expires_us) WHERE state = 'leased';
CREATE INDEX idx_queue_tasks_worker ON queue_tasks(worker_id) WHERE state = 'leased';

-- The workers that registered: what they can do, and when they were last heard from.
CREATE TABLE workers (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    capabilities TEXT NOT NULL,
    state VARCHAR(16) NOT NULL DEFAULT 'active',
    registered_us INTEGER NOT NULL,
    heartbeat_us INTEGER NOT NULL,
    CONSTRAINT workers_state_check CHECK (state IN ('active', 'draining', 'gone'))
);
