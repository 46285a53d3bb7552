package io.sluice.ingress.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class AuthThrottleTest {
  @Test
  void blocksAnAddressAfterTheLimitUntilTheWindowEnds() throws Exception {
    AtomicLong now = new AtomicLong();
    AuthThrottle throttle = new AuthThrottle(3, Duration.ofMinutes(15), now::get);
    InetAddress guesser = InetAddress.getByName("192.0.2.9");
    InetAddress other = InetAddress.getByName("192.0.2.10");
    throttle.failed(guesser);
    throttle.failed(guesser);
    assertThat(throttle.blocked(guesser)).isFalse();
    throttle.failed(guesser);
    assertThat(throttle.blocked(guesser)).isTrue();
    assertThat(throttle.blocked(other)).isFalse();
    now.addAndGet(Duration.ofMinutes(16).toNanos());
    assertThat(throttle.blocked(guesser)).isFalse();
    throttle.failed(guesser); // a new window starts
    assertThat(throttle.blocked(guesser)).isFalse();
  }
}
