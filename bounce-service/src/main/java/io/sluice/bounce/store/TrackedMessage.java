package io.sluice.bounce.store;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;

/** A message as ingress accepted it, from the MessageSummary of its events. Keyed by queue id. */
@Entity
@Table(name = "tracked_message")
public class TrackedMessage extends PanacheEntityBase {
  @Id
  @Column(name = "queue_id", length = 26)
  public String queueId;

  /** Envelope sender; {@code ""} is the null reverse-path. */
  @Column(nullable = false)
  public String sender;

  @Column(name = "message_id")
  public String messageId;

  @Column(name = "size_bytes", nullable = false)
  public long sizeBytes;

  @Column(name = "received_at", nullable = false)
  public Instant receivedAt;

  @Column(name = "client_address", nullable = false)
  public String clientAddress;

  public String envid;

  /** RFC 3461 RET (FULL or HDRS), or null when the client gave none. */
  public String ret;

  /** The original header section, for the text/rfc822-headers part of later reports. */
  public byte[] headers;

  @Column(name = "recorded_at", nullable = false)
  public Instant recordedAt;
}
