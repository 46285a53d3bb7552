package io.sluice.delivery.attempt;

import io.sluice.delivery.outcome.Replies;
import io.sluice.schema.EventType;
import io.sluice.schema.Recipient;
import io.sluice.schema.RemoteReply;

/**
 * The outcome of one recipient in one attempt, before retry policy: DELIVERED, DEFERRED or BOUNCED.
 *
 * @param remoteMta host that answered (or was last tried), or null when routing failed
 * @param destination metrics name of the destination (host set or routing failure)
 */
public record RecipientOutcome(Recipient recipient, EventType type, RemoteReply reply, String remoteMta,
    String destination) {
  /** Deferred by shaping here (a paused destination, a full window, the rate): no server was asked. */
  public boolean heldBack() {
    return remoteMta == null && Replies.isThrottled(reply);
  }
}
