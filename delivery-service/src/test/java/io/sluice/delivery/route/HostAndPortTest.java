package io.sluice.delivery.route;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class HostAndPortTest {
  @Test
  void parsesNamesAddressesAndDefaults() {
    assertThat(HostAndPort.parse("127.0.0.1:2526", 25)).isEqualTo(new HostAndPort("127.0.0.1", 2526));
    assertThat(HostAndPort.parse("relay.example", 25)).isEqualTo(new HostAndPort("relay.example", 25));
    assertThat(HostAndPort.parse("[::1]:2526", 25)).isEqualTo(new HostAndPort("::1", 2526));
    assertThat(HostAndPort.parse("::1", 25)).isEqualTo(new HostAndPort("::1", 25));
    assertThatThrownBy(() -> HostAndPort.parse("h:99999", 25)).isInstanceOf(IllegalArgumentException.class);
  }
}
