package io.sluice.ingress;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.sluice.ingress.smtp.SmtpServer;
import jakarta.inject.Inject;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A PROXY header is believed only from trusted proxies; loopback is not one here. */
@QuarkusTest
@TestProfile(UntrustedProxyTest.ProxyElsewhere.class)
class UntrustedProxyTest {
  public static class ProxyElsewhere implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of("sluice.ingress.proxy-protocol", "true", "sluice.ingress.trusted-proxies", "192.0.2.0/24");
    }
  }

  @Inject
  SmtpServer server;

  @Inject
  MeterRegistry registry;

  @Test
  void aValidHeaderFromAnUntrustedSourceIsRefused() throws Exception {
    double before = ProxyProtocolTest.rejections(registry, "proxy-untrusted");
    // It claims a client in the trusted networks (loopback): believing it would open the relay.
    try (SmtpClient c = new SmtpClient(server.port())) {
      c.setTimeout(10_000);
      c.send(ProxyBytes.proxy("127.0.0.1", 40000, "127.0.0.1", new byte[0]));
      ProxyProtocolTest.assertClosedWithoutGreeting(c);
    }
    assertThat(ProxyProtocolTest.rejections(registry, "proxy-untrusted")).isEqualTo(before + 1);
  }
}
