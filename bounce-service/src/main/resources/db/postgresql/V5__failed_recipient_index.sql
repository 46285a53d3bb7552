-- PostgreSQL only (H2, the local run mode, has neither expression nor partial indexes). Versions
-- are shared with db/migration: the next migration of either location is V6.
--
-- The bounce list (GET /api/v1/bounces?recipient=) filters failed outcomes on lower(recipient),
-- newest first. Without this index it scanned every BOUNCED and EXPIRED row. Partial, so the
-- DELIVERED rows that make up nearly all of the table never enter it and cost inserts nothing.
CREATE INDEX recipient_outcome_failed_recipient_idx
    ON recipient_outcome (lower(recipient), last_event_at DESC, id DESC)
    WHERE status IN ('BOUNCED', 'EXPIRED');
