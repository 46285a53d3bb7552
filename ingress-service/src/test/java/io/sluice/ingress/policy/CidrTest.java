package io.sluice.ingress.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

class CidrTest {
  @Test
  void defaultTrustedNetworksAreLoopbackOnly() throws Exception {
    TrustedNetworks trusted = TrustedNetworks.parse(List.of("127.0.0.0/8", "::1/128"));
    assertThat(trusted.contains(InetAddress.getByName("127.0.0.1"))).isTrue();
    assertThat(trusted.contains(InetAddress.getByName("127.255.1.2"))).isTrue();
    assertThat(trusted.contains(InetAddress.getByName("::1"))).isTrue();
    assertThat(trusted.contains(InetAddress.getByName("128.0.0.1"))).isFalse();
    assertThat(trusted.contains(InetAddress.getByName("10.0.0.1"))).isFalse();
    assertThat(trusted.contains(InetAddress.getByName("::2"))).isFalse();
  }

  @Test
  void prefixesThatDoNotEndOnAByte() throws Exception {
    Cidr net = Cidr.parse("192.168.4.0/22");
    assertThat(net.contains(InetAddress.getByName("192.168.7.255"))).isTrue();
    assertThat(net.contains(InetAddress.getByName("192.168.8.0"))).isFalse();
    assertThat(Cidr.parse("10.1.2.3").contains(InetAddress.getByName("10.1.2.3"))).isTrue();
    assertThat(Cidr.parse("2001:db8::/32").contains(InetAddress.getByName("2001:db8:1::5"))).isTrue();
  }

  @Test
  void hostNamesAndBadPrefixesAreRefused() {
    assertThatThrownBy(() -> Cidr.parse("localhost")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Cidr.parse("10.0.0.0/33")).isInstanceOf(IllegalArgumentException.class);
  }
}
