-- Baseline for PostgreSQL (DATABASE_URL / DB_HOST): scene history and the audit trail of every instance.
-- SpaceTime applies these files itself at start-up (embedded from this folder); migrate_database.sh --database-url
-- applies the same files. origin/origin_seq name the record in the writer's local outbox, so a delivery retried
-- after a crash or an outage never stores a record twice.
CREATE TABLE IF NOT EXISTS scene_history (
    id BIGSERIAL PRIMARY KEY,
    scene_path TEXT NOT NULL,
    scene_name TEXT,
    loaded_at TIMESTAMPTZ NOT NULL,
    load_duration_ms DOUBLE PRECISION,
    result TEXT NOT NULL,
    error TEXT,
    instance_id TEXT,
    origin TEXT NOT NULL,
    origin_seq BIGINT NOT NULL,
    UNIQUE (origin, origin_seq)
);

CREATE TABLE IF NOT EXISTS audit_log (
    id BIGSERIAL PRIMARY KEY,
    logged_at TIMESTAMPTZ NOT NULL,
    instance_id TEXT,
    event TEXT NOT NULL,
    result TEXT NOT NULL,
    client TEXT,
    endpoint TEXT,
    subject TEXT,
    role TEXT,
    status INTEGER,
    details TEXT,
    origin TEXT NOT NULL,
    origin_seq BIGINT NOT NULL,
    UNIQUE (origin, origin_seq)
);

CREATE INDEX IF NOT EXISTS audit_log_logged_at ON audit_log (logged_at);
