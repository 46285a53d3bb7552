package io.sluice.bounce.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.schema.DeliveryEvent;
import io.sluice.schema.EventType;
import io.sluice.schema.Recipient;
import io.sluice.schema.RemoteReply;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** Outcomes only move forward, whatever order the events of a message arrive in. */
class OutcomeOrderTest {
  private static final Recipient R = Recipient.of("r@example.net");

  private static RecipientOutcome current(EventType type, int attempt) {
    RecipientOutcome o = new RecipientOutcome();
    o.status = type.name();
    o.attempt = attempt;
    return o;
  }

  private static DeliveryEvent event(EventType type, int attempt) {
    RemoteReply reply = switch (type) {
      case RECEIVED -> null;
      case DELIVERED -> new RemoteReply(250, "2.0.0", "ok");
      case DEFERRED -> new RemoteReply(451, "4.4.1", "later");
      case BOUNCED, EXPIRED -> new RemoteReply(550, "5.1.1", "no");
    };
    return new DeliveryEvent("01JAAAAAAAAAAAAAAAAAAAAAAA", type, R, attempt, Instant.now(), null, reply, 0, null);
  }

  @Test
  void aFinalOutcomeIsNeverReplacedByAnIntermediateOne() {
    assertThat(EventStore.supersedes(event(EventType.RECEIVED, 0), current(EventType.DELIVERED, 1))).isFalse();
    assertThat(EventStore.supersedes(event(EventType.DEFERRED, 3), current(EventType.BOUNCED, 2))).isFalse();
  }

  @Test
  void laterAttemptsAndHigherRanksWin() {
    assertThat(EventStore.supersedes(event(EventType.DEFERRED, 1), current(EventType.RECEIVED, 0))).isTrue();
    assertThat(EventStore.supersedes(event(EventType.DEFERRED, 2), current(EventType.DEFERRED, 1))).isTrue();
    assertThat(EventStore.supersedes(event(EventType.DEFERRED, 1), current(EventType.DEFERRED, 2))).isFalse();
    assertThat(EventStore.supersedes(event(EventType.EXPIRED, 5), current(EventType.DEFERRED, 4))).isTrue();
  }
}
