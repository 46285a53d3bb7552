-- delivery_event and recipient_outcome are written in plain JDBC batches (multi-row INSERTs), which
-- take their ids from these defaults. The sequences keep their step of 50, so ids of rows written
-- this way are sparse; any writer still using Hibernate's pooled blocks of 50 never collides with them.
ALTER TABLE delivery_event ALTER COLUMN id SET DEFAULT nextval('delivery_event_seq');
ALTER TABLE recipient_outcome ALTER COLUMN id SET DEFAULT nextval('recipient_outcome_seq');

-- Lookups by (queue_id, attempt) use the natural key's leading queue_id; a third index on the most
-- written table only slowed every insert.
DROP INDEX delivery_event_attempt_idx;
