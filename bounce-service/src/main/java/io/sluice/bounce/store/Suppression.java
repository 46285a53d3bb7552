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

/** An address that mail must not be sent to until {@link #expiresAt} (null: until removed). */
@Entity
@Table(name = "suppression")
public class Suppression extends PanacheEntityBase {
  /** Who put the address on the list. */
  public enum Source {
    BOUNCE,
    API
  }

  @Id
  @GeneratedValue(strategy = GenerationType.SEQUENCE, generator = "suppression_seq")
  @SequenceGenerator(name = "suppression_seq", sequenceName = "suppression_seq", allocationSize = 50)
  public Long id;

  /** Lower-cased mailbox. */
  @Column(nullable = false, unique = true)
  public String address;

  @Column(nullable = false)
  public String reason;

  @Enumerated(EnumType.STRING)
  @Column(nullable = false)
  public Source source;

  @Column(name = "source_queue_id", length = 26)
  public String sourceQueueId;

  @Column(name = "created_at", nullable = false)
  public Instant createdAt;

  @Column(name = "expires_at")
  public Instant expiresAt;

  public boolean activeAt(Instant now) {
    return expiresAt == null || expiresAt.isAfter(now);
  }
}
