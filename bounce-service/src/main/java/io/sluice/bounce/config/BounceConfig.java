package io.sluice.bounce.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.Optional;

/**
 * Everything bounce-service reads from configuration under {@code sluice.bounce}. Every key is
 * documented in docs/configuration.md; keep the two in step.
 */
@ConfigMapping(prefix = "sluice.bounce")
public interface BounceConfig {

  /**
   * Host name this MTA reports in DSNs ({@code Reporting-MTA: dns; <host>}, {@code From:
   * MAILER-DAEMON@<host>}, the DSN's Message-ID). Empty: the machine's host name.
   */
  Optional<String> reportingMta();

  /**
   * Database schema that Flyway creates and migrates (it feeds quarkus.flyway.schemas). Hibernate
   * uses the JDBC URL's schema, so put the same name in {@code ?currentSchema=} for PostgreSQL.
   */
  @WithDefault("public")
  String dbSchema();

  /** How long tracking data is kept. */
  Retention retention();

  /** Consumer of sluice.events. */
  Consumer consumer();

  /** Producer of DSNs (sluice.submitted) and dead letters (sluice.dead). */
  Producer producer();

  /** The tracking REST API. */
  Api api();

  /** Readiness probe. */
  Health health();

  /** DSN policy. */
  Dsn dsn();

  interface Consumer {
    /** Kafka consumer group id; every instance of bounce-service shares it. */
    @WithDefault("sluice-bounce")
    String groupId();

    /** Where a group with no committed offset starts: earliest (production) or latest. */
    @WithDefault("earliest")
    String autoOffsetReset();

    /** Longest wait of one poll of sluice.events. */
    @WithDefault("500ms")
    Duration pollTimeout();

    /**
     * Most events taken in one poll, i.e. persisted in one database transaction. Each batch pays a
     * fixed cost (commit, the DSN acks, the offset commit, a few report queries), so larger batches
     * persist more events per second (4000 against 2000: 7-9 % more in deploy/bench/bounce.sh).
     */
    @WithDefault("4000")
    int maxPollRecords();

    /**
     * Poll batches in the database at once: with 2, the next batch is written while the previous one
     * decides its reports and commits (io.sluice.bounce.consume.BatchPipeline); 1 handles them one
     * after the other on the consumer thread.
     */
    @WithDefault("2")
    int batchesInFlight();

    /** Wait before a failed batch (database or Kafka down) is read again from its first offset. */
    @WithDefault("2s")
    Duration retryBackoff();
  }

  interface Producer {
    /** How long to wait for the broker's acks=all on a DSN or a dead letter before the batch is retried. */
    @WithDefault("30s")
    Duration sendTimeout();

    /** How long shutdown waits for unsent records when closing the producer. */
    @WithDefault("10s")
    Duration closeTimeout();
  }

  interface Api {
    /**
     * Bearer token that the tracking API requires ({@code Authorization: Bearer <token>}). No default
     * in production: without it every API call is refused with 401.
     */
    Optional<String> token();

    /**
     * A second token accepted alongside {@link #token()} while API clients move to a new one (see the
     * rotation steps in docs/operations.md). Unset outside a rotation.
     */
    Optional<String> nextToken();

    /** Largest page size a list endpoint returns. */
    @WithDefault("500")
    int maxPageSize();
  }

  interface Health {
    /** Timeout of the broker check (Admin.describeCluster) behind readiness. */
    @WithDefault("2s")
    Duration kafkaTimeout();

    /** How long a broker check result is reused, so probes do not hammer the broker. */
    @WithDefault("5s")
    Duration kafkaCacheFor();
  }

  interface Retention {
    /**
     * Messages, outcomes, events and report decisions older than this are deleted, as are
     * suppression entries that expired this long ago; 0 keeps everything.
     */
    @WithDefault("30d")
    Duration keepFor();

    /** How often the purge runs. */
    @WithDefault("1h")
    Duration interval();

    /** Rows deleted per statement, so that a purge never holds long locks. */
    @WithDefault("1000")
    int chunk();
  }

  interface Dsn {
    /**
     * Send an {@code Action: delayed} warning once a recipient has been deferred this long (RFC 3464
     * §2.3.3); 0 turns warnings off.
     */
    @WithDefault("4h")
    Duration delayWarningAfter();

    /**
     * How often the database is scanned for recipients deferred past the warning delay whose retry
     * has not come yet (a DEFERRED event past the delay also warns at once).
     */
    @WithDefault("1m")
    Duration delayScanInterval();

    /**
     * How long delivery keeps retrying a deferred recipient (its max age, RFC 5321 §4.5.4.1); only
     * used for the Will-Retry-Until field of delay warnings, so keep it equal to delivery's setting.
     */
    @WithDefault("5d")
    Duration maxQueueAge();

    /** How long a hard bounce keeps the address on the suppression list; 0 turns automatic suppression off. */
    @WithDefault("30d")
    Duration suppressFor();
  }
}
