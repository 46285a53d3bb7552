package io.sluice.bounce.store;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.SequenceGenerator;
import jakarta.persistence.Table;
import java.time.Instant;

/**
 * A report decision about one message. Unique on (queue id, attempt, kind, recipient): the row
 * is inserted and flushed before the DSN is published, in the same transaction, so a redelivered
 * event can never produce a second report (contract 4).
 */
@Entity
@Table(name = "bounce_report")
public class BounceReport extends PanacheEntityBase {
  /** Which RFC 3464 Action the report carries. */
  public enum Kind {
    FAILED,
    DELAYED,
    DELIVERED
  }

  @Id
  @GeneratedValue(strategy = GenerationType.SEQUENCE, generator = "bounce_report_seq")
  @SequenceGenerator(name = "bounce_report_seq", sequenceName = "bounce_report_seq", allocationSize = 50)
  public Long id;

  @Column(name = "queue_id", nullable = false, length = 26)
  public String queueId;

  @Column(nullable = false)
  public int attempt;

  @Enumerated(EnumType.STRING)
  @Column(nullable = false)
  public Kind kind;

  /**
   * The recipient a DELIVERED or DELAYED decision is about; {@code ""} for FAILED, which is one row
   * per attempt covering every recipient that failed in it.
   */
  @Column(nullable = false)
  public String recipient = "";

  /** Queue id of the DSN published to sluice.submitted; null when none was sent. */
  @Column(name = "dsn_queue_id", length = 26)
  public String dsnQueueId;

  /** How many recipients the report covers (or would have covered). */
  @Column(nullable = false)
  public int recipients;

  /** Why no DSN was sent, e.g. null sender or NOTIFY=NEVER; null when one was sent. */
  @Column(name = "skipped_reason")
  public String skippedReason;

  @Column(name = "created_at", nullable = false)
  public Instant createdAt;
}
