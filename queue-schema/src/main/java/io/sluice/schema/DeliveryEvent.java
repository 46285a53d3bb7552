package io.sluice.schema;

import java.time.Instant;
import java.util.Objects;

/**
 * One recipient's outcome on sluice.events.
 *
 * @param attempt 1-based attempt that produced the outcome; 0 for RECEIVED
 * @param remoteMta host that answered, or null
 * @param reply the remote (or synthesised) reply; null only for RECEIVED
 * @param failuresInAttempt on BOUNCED and EXPIRED, how many recipients of the message failed in the
 *     same attempt, so that bounce-service writes one DSN covering all of them (contract 4)
 * @param message set on RECEIVED, BOUNCED and EXPIRED; null otherwise
 */
public record DeliveryEvent(
    String queueId,
    EventType type,
    Recipient recipient,
    int attempt,
    Instant occurredAt,
    String remoteMta,
    RemoteReply reply,
    int failuresInAttempt,
    MessageSummary message) {

  public DeliveryEvent {
    Objects.requireNonNull(queueId, "queueId");
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(recipient, "recipient");
    Objects.requireNonNull(occurredAt, "occurredAt");
    if (type != EventType.RECEIVED && reply == null) {
      throw new IllegalArgumentException(type + " event needs the reply that decided it");
    }
  }

  public static DeliveryEvent received(
      String queueId, Recipient recipient, Instant at, MessageSummary message) {
    return new DeliveryEvent(queueId, EventType.RECEIVED, recipient, 0, at, null, null, 0, message);
  }
}
