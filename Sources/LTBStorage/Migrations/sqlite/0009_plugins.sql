-- Plugins. The plugins table of 0001 was never written; it is replaced by the registry's: one
-- row per installed plugin (its manifest as JSON, the module's SHA-256, the capabilities the
-- operator granted, its configuration, whether it is enabled and why it was disabled), times in
-- microseconds since 1970.
DROP TABLE plugins;
CREATE TABLE plugins (
    name TEXT PRIMARY KEY,
    version TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('evaluator', 'request-transform', 'response-transform')),
    abi_version INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    manifest TEXT NOT NULL,
    configuration TEXT NOT NULL DEFAULT '{}',
    granted TEXT NOT NULL DEFAULT '[]',
    enabled INTEGER NOT NULL DEFAULT 1,
    disabled_reason TEXT,
    installed_by TEXT REFERENCES users(id) ON DELETE SET NULL,
    installed_us INTEGER NOT NULL,
    updated_us INTEGER NOT NULL
);

-- Plugin scores of each result (spec column plugin_metrics), kept as the verdicts are stored.
