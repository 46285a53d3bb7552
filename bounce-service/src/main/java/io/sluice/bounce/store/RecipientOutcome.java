package io.sluice.bounce.store;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;

/** The latest known outcome of one recipient of one message; unique on (queue id, recipient). */
@Entity
@Table(name = "recipient_outcome")
public class RecipientOutcome extends PanacheEntityBase {
  @Id
  // The column default (nextval of recipient_outcome_seq, V3) assigns it: EventStore writes rows in JDBC batches.
  @GeneratedValue(strategy = GenerationType.IDENTITY)
  public Long id;

  @Column(name = "queue_id", nullable = false, length = 26)
  public String queueId;

  @Column(nullable = false)
  public String recipient;

  @Column(name = "rcpt_domain", nullable = false)
  public String domain;

  /** ORCPT as {@code addr-type;address}, or null. */
  public String orcpt;

  /** RFC 3461 NOTIFY values, comma-separated; empty when the client gave none. */
  public String notify;

  /** The EventType name of the latest outcome. */
  @Column(nullable = false)
  public String status;

  @Column(nullable = false)
  public int attempt;

  @Column(name = "reply_code")
  public Integer replyCode;

  @Column(name = "reply_enhanced")
  public String replyEnhanced;

  @Column(name = "reply_text")
  public String replyText;

  @Column(name = "remote_mta")
  public String remoteMta;

  @Column(name = "first_event_at", nullable = false)
  public Instant firstEventAt;

  @Column(name = "last_event_at", nullable = false)
  public Instant lastEventAt;
}
