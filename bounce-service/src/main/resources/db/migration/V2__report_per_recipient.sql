-- Success reports (NOTIFY=SUCCESS) and delay warnings are decided per recipient, so that a
-- recipient is reported once even when its events arrive in different batches. Failure reports
-- keep recipient = '' and stay one per (queue id, attempt) (contract 4).
ALTER TABLE bounce_report ADD COLUMN recipient VARCHAR(512) DEFAULT '' NOT NULL;
ALTER TABLE bounce_report DROP CONSTRAINT bounce_report_natural_key;
ALTER TABLE bounce_report ADD CONSTRAINT bounce_report_natural_key UNIQUE (queue_id, attempt, kind, recipient);
CREATE INDEX bounce_report_dsn_idx ON bounce_report (dsn_queue_id);
