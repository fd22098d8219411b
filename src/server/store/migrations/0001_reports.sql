-- Every report, partial ones too. Portable SQL for SQLite and PostgreSQL: TEXT, BIGINT,
-- timestamps as unix milliseconds, ids as random UUID v4 text.
CREATE TABLE reports (
    id TEXT PRIMARY KEY,
    owner_hash TEXT NOT NULL,
    created_ms BIGINT NOT NULL,
    updated_ms BIGINT NOT NULL,
    contract TEXT NOT NULL,
    contract_sha256 TEXT NOT NULL,
    filename TEXT,
    language TEXT NOT NULL,
    provider TEXT NOT NULL,
    model TEXT NOT NULL,
    status TEXT NOT NULL,
    text TEXT NOT NULL,
    findings TEXT,
    critical BIGINT NOT NULL DEFAULT 0,
    high BIGINT NOT NULL DEFAULT 0,
    medium BIGINT NOT NULL DEFAULT 0,
    low BIGINT NOT NULL DEFAULT 0,
    info BIGINT NOT NULL DEFAULT 0,
    gas BIGINT NOT NULL DEFAULT 0,
    ttft_ms BIGINT,
    duration_ms BIGINT,
    output_tokens BIGINT,
    error_code TEXT,
    error_message TEXT
);
CREATE INDEX reports_owner_created ON reports (owner_hash, created_ms);
CREATE INDEX reports_status ON reports (status);
CREATE INDEX reports_created ON reports (created_ms);
