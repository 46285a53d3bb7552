-- Delivery tracking, bounce reports and suppression. Runs unchanged on PostgreSQL (production,
-- tests) and H2 in PostgreSQL mode (local run mode): keep to the common SQL subset.

-- One row per message, from the MessageSummary that RECEIVED, BOUNCED and EXPIRED events carry.
CREATE TABLE tracked_message (
    queue_id        VARCHAR(26)   NOT NULL PRIMARY KEY,
    sender          VARCHAR(512)  NOT NULL,  -- '' is the null reverse-path
    message_id      VARCHAR(998),
    size_bytes      BIGINT        NOT NULL,
    received_at     TIMESTAMP WITH TIME ZONE NOT NULL,
    client_address  VARCHAR(64)   NOT NULL,
    envid           VARCHAR(100),
    ret             VARCHAR(4),
    headers         BYTEA,
    recorded_at     TIMESTAMP WITH TIME ZONE NOT NULL
);
CREATE INDEX tracked_message_message_id_idx ON tracked_message (message_id);

-- The latest outcome of each recipient of a message. No foreign key to tracked_message: events of
-- one message can arrive in any order, and a DELIVERED event carries no summary.
CREATE TABLE recipient_outcome (
    id               BIGINT        NOT NULL PRIMARY KEY,
    queue_id         VARCHAR(26)   NOT NULL,
    recipient        VARCHAR(512)  NOT NULL,
    rcpt_domain      VARCHAR(255)  NOT NULL,
    orcpt            VARCHAR(600),
    notify           VARCHAR(40),             -- comma-separated RFC 3461 NOTIFY values, '' = none given
    status           VARCHAR(16)   NOT NULL,  -- EventType name
    attempt          INTEGER       NOT NULL,
    reply_code       INTEGER,
    reply_enhanced   VARCHAR(16),
    reply_text       VARCHAR(2000),
    remote_mta       VARCHAR(255),
    first_event_at   TIMESTAMP WITH TIME ZONE NOT NULL,
    last_event_at    TIMESTAMP WITH TIME ZONE NOT NULL,
    CONSTRAINT recipient_outcome_natural_key UNIQUE (queue_id, recipient)
);
CREATE SEQUENCE recipient_outcome_seq START WITH 1 INCREMENT BY 50;
CREATE INDEX recipient_outcome_recipient_idx ON recipient_outcome (recipient, last_event_at);
CREATE INDEX recipient_outcome_domain_idx ON recipient_outcome (rcpt_domain, last_event_at);
CREATE INDEX recipient_outcome_status_idx ON recipient_outcome (status, last_event_at);

-- Every event as received: the attempt history. The natural key makes a replayed event a no-op.
CREATE TABLE delivery_event (
    id                   BIGINT        NOT NULL PRIMARY KEY,
    queue_id             VARCHAR(26)   NOT NULL,
    recipient            VARCHAR(512)  NOT NULL,
    event_type           VARCHAR(16)   NOT NULL,
    attempt              INTEGER       NOT NULL,
    occurred_at          TIMESTAMP WITH TIME ZONE NOT NULL,
    remote_mta           VARCHAR(255),
    reply_code           INTEGER,
    reply_enhanced       VARCHAR(16),
    reply_text           VARCHAR(2000),
    failures_in_attempt  INTEGER       NOT NULL,
    recorded_at          TIMESTAMP WITH TIME ZONE NOT NULL,
    CONSTRAINT delivery_event_natural_key UNIQUE (queue_id, recipient, event_type, attempt)
);
CREATE SEQUENCE delivery_event_seq START WITH 1 INCREMENT BY 50;
CREATE INDEX delivery_event_attempt_idx ON delivery_event (queue_id, attempt);

-- One row per report decision about one attempt of one message. The unique key is what makes a
-- redelivered event unable to produce a second DSN (contract 4). dsn_queue_id is null when no DSN
-- was sent (null sender, NOTIFY=NEVER); skipped_reason then says why.
CREATE TABLE bounce_report (
    id               BIGINT        NOT NULL PRIMARY KEY,
    queue_id         VARCHAR(26)   NOT NULL,
    attempt          INTEGER       NOT NULL,
    kind             VARCHAR(16)   NOT NULL,  -- FAILED, DELAYED, DELIVERED (the DSN Action)
    dsn_queue_id     VARCHAR(26),
    recipients       INTEGER       NOT NULL,
    skipped_reason   VARCHAR(200),
    created_at       TIMESTAMP WITH TIME ZONE NOT NULL,
    CONSTRAINT bounce_report_natural_key UNIQUE (queue_id, attempt, kind)
);
CREATE SEQUENCE bounce_report_seq START WITH 1 INCREMENT BY 50;
CREATE INDEX bounce_report_created_idx ON bounce_report (created_at);

-- Addresses that hard-bounced (or were added by an operator): mail to them is refused until
-- expires_at (null: until removed).
CREATE TABLE suppression (
    id               BIGINT        NOT NULL PRIMARY KEY,
    address          VARCHAR(512)  NOT NULL,
    reason           VARCHAR(2000) NOT NULL,
    source           VARCHAR(16)   NOT NULL,  -- BOUNCE or API
    source_queue_id  VARCHAR(26),
    created_at       TIMESTAMP WITH TIME ZONE NOT NULL,
    expires_at       TIMESTAMP WITH TIME ZONE,
    CONSTRAINT suppression_address_key UNIQUE (address)
);
CREATE SEQUENCE suppression_seq START WITH 1 INCREMENT BY 50;
