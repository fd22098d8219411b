-- The verdicts a report was streamed with (`finding` events, JSON), so a stored report
-- shows them without checking again. NULL for reports from before, or with no checks.
ALTER TABLE reports ADD COLUMN checks TEXT;
