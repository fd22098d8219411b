-- A project's files (issue 17): each distinct file text is stored once, by its SHA-256,
-- however many reports name it; a report lists its files in the order they were sent.
-- `reports.scope` holds the request's scope and exclude globs (JSON), NULL for one contract.
CREATE TABLE blobs (sha256 TEXT PRIMARY KEY, text TEXT NOT NULL);
CREATE TABLE report_files (
    report_id TEXT NOT NULL,
    position BIGINT NOT NULL,
    path TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    PRIMARY KEY (report_id, position)
);
CREATE INDEX report_files_sha256 ON report_files (sha256);
ALTER TABLE reports ADD COLUMN scope TEXT;
