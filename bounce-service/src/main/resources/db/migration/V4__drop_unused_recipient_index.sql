-- recipient_outcome_recipient_idx (recipient, last_event_at) served no query: the bounce list
-- filters on lower(recipient), which a plain index on recipient cannot answer, and every other
-- lookup goes by queue id. Each new outcome row only paid for keeping it up to date.
DROP INDEX recipient_outcome_recipient_idx;
