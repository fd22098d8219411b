-- Instance leases (used on PostgreSQL, where several servers share the history): each
-- server renews its row while it runs and writes its id on the reports it streams; the
-- reports of a server whose lease ran out are interrupted by the others. NULL for
-- reports from before, and on SQLite.
CREATE TABLE instances (id TEXT PRIMARY KEY, lease_until_ms BIGINT NOT NULL);
ALTER TABLE reports ADD COLUMN instance TEXT;
