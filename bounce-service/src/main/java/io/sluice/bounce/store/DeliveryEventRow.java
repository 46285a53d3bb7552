package io.sluice.bounce.store;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;

/**
 * One event of the attempt history, as consumed. Unique on (queue id, recipient, event type,
 * attempt), so a replayed event is recognised and skipped.
 */
@Entity
@Table(name = "delivery_event")
public class DeliveryEventRow extends PanacheEntityBase {
  @Id
  // The column default (nextval of delivery_event_seq, V3) assigns it: EventStore writes rows in JDBC batches.
  @GeneratedValue(strategy = GenerationType.IDENTITY)
  public Long id;

  @Column(name = "queue_id", nullable = false, length = 26)
  public String queueId;

  @Column(nullable = false)
  public String recipient;

  @Column(name = "event_type", nullable = false)
  public String eventType;

  @Column(nullable = false)
  public int attempt;

  @Column(name = "occurred_at", nullable = false)
  public Instant occurredAt;

  @Column(name = "remote_mta")
  public String remoteMta;

  @Column(name = "reply_code")
  public Integer replyCode;

  @Column(name = "reply_enhanced")
  public String replyEnhanced;

  @Column(name = "reply_text")
  public String replyText;

  @Column(name = "failures_in_attempt", nullable = false)
  public int failuresInAttempt;

  @Column(name = "recorded_at", nullable = false)
  public Instant recordedAt;
}
