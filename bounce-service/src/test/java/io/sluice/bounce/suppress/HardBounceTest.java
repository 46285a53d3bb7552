package io.sluice.bounce.suppress;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.schema.DeliveryEvent;
import io.sluice.schema.EventType;
import io.sluice.schema.Recipient;
import io.sluice.schema.RemoteReply;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** Which failures say the address itself is bad (RFC 3463 X.1.x), and so suppress it. */
class HardBounceTest {
  private static boolean hard(EventType type, int code, String enhanced) {
    return SuppressionList.isHardBounce(new DeliveryEvent("01JAAAAAAAAAAAAAAAAAAAAAAA", type,
        Recipient.of("r@example.net"), 1, Instant.now(), "mx", new RemoteReply(code, enhanced, "x"), 1, null));
  }

  @Test
  void addressingFailuresAreHard() {
    assertThat(hard(EventType.BOUNCED, 550, "5.1.1")).isTrue();
    assertThat(hard(EventType.BOUNCED, 556, "5.1.10")).isTrue();
    assertThat(hard(EventType.BOUNCED, 550, null)).isTrue();
    assertThat(hard(EventType.BOUNCED, 553, null)).isTrue();
  }

  @Test
  void everythingElseIsNot() {
    assertThat(hard(EventType.BOUNCED, 552, "5.2.2")).as("mailbox full").isFalse();
    assertThat(hard(EventType.BOUNCED, 550, "5.7.1")).as("policy, or our own suppression").isFalse();
    assertThat(hard(EventType.BOUNCED, 554, null)).as("transaction failed").isFalse();
    assertThat(hard(EventType.EXPIRED, 550, "5.1.1")).as("expiry is not a bounce").isFalse();
    assertThat(hard(EventType.DEFERRED, 450, "4.1.1")).isFalse();
  }

  @Test
  void addressesAreComparedLowerCased() {
    assertThat(SuppressionList.normalise("  Bob@Example.COM ")).isEqualTo("bob@example.com");
  }
}
