package io.sluice.ingress;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.sluice.ingress.smtp.SmtpServer;
import io.sluice.schema.AvroCodec;
import io.sluice.schema.SubmittedMessage;
import io.sluice.schema.Topics;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The relay listener behind a load balancer: every connection comes from 127.0.0.1 (the "proxy",
 * trusted), and the PROXY v2 header names the real client. Relay trust is given to 198.51.100.0/24
 * and 2001:db8:25::/48 only, so whether a client may relay shows which address the policy used.
 */
@QuarkusTest
@TestProfile(ProxyProtocolTest.BehindProxy.class)
class ProxyProtocolTest {
  public static class BehindProxy implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of("sluice.ingress.proxy-protocol", "true", "sluice.ingress.trusted-proxies", "127.0.0.0/8",
          "sluice.ingress.trusted-networks", "198.51.100.0/24,2001:db8:25::/48",
          "sluice.ingress.max-connections-per-client", "2", "sluice.ingress.proxy-header-timeout", "1500ms");
    }
  }

  @Inject
  SmtpServer server;

  @Inject
  MeterRegistry registry;

  private SmtpClient via(byte[] header) throws Exception {
    SmtpClient c = new SmtpClient(server.port());
    c.send(header);
    return c;
  }

  /** Sends one message and returns the record ingress wrote for it. */
  private SubmittedMessage relay(SmtpClient c) throws Exception {
    Instant start = Instant.now();
    assertThat(c.reply()).startsWith("220 ingress.test");
    c.command("EHLO client.test");
    assertThat(c.command("MAIL FROM:<a@ok.test>")).startsWith("250");
    assertThat(c.command("RCPT TO:<b@ok.test>")).startsWith("250 2.1.5");
    assertThat(c.command("DATA")).startsWith("354");
    c.send("Subject: via proxy\r\n\r\nHi.\r\n.\r\n");
    String reply = c.reply();
    assertThat(reply).startsWith("250 2.0.0 Ok: queued as ");
    String queueId = reply.substring(reply.lastIndexOf(' ') + 1);
    return AvroCodec.submittedMessages().decode(
        KafkaRecords.await(Topics.SUBMITTED, start, r -> queueId.equals(r.key()), Duration.ofSeconds(30)).value());
  }

  /** End of stream, or a reset (closing a socket with unread input sends RST); a timeout fails. */
  static void assertClosedWithoutGreeting(SmtpClient c) throws Exception {
    try {
      assertThat(c.reply()).isNull();
    } catch (java.net.SocketException reset) {
      assertThat(reset.getMessage()).containsIgnoringCase("reset");
    }
  }

  private double rejected(String reason) {
    return rejections(registry, reason);
  }

  /** sluice.ingress.rejections for one reason; 0 before the first. */
  static double rejections(MeterRegistry registry, String reason) {
    var counter = registry.find("sluice.ingress.rejections").tag("reason", reason).counter();
    return counter == null ? 0 : counter.count();
  }

  @Test
  void ipv4ClientFromTheHeaderDrivesRelayPolicyAndTheReceivedHeader() throws Exception {
    try (SmtpClient c = via(ProxyBytes.proxy("198.51.100.7", 40000, "192.0.2.1", new byte[0]))) {
      SubmittedMessage m = relay(c);
      assertThat(m.clientAddress()).isEqualTo("198.51.100.7");
      assertThat(new String(m.content(), StandardCharsets.UTF_8)).startsWith("Received: from client.test ([198.51.100.7])");
    }
  }

  @Test
  void ipv6ClientWithTlvsIsUsedToo() throws Exception {
    byte[] tlvs = ProxyBytes.tlv(0x02, "mx.example".getBytes(StandardCharsets.US_ASCII));
    try (SmtpClient c = via(ProxyBytes.proxy("2001:db8:25::7", 40001, "2001:db8::1", tlvs))) {
      SubmittedMessage m = relay(c);
      assertThat(m.clientAddress()).isEqualTo("2001:db8:25:0:0:0:0:7");
      assertThat(new String(m.content(), StandardCharsets.UTF_8)).contains("[IPv6:2001:db8:25:0:0:0:0:7]");
    }
  }

  @Test
  void aClientOutsideTheTrustedNetworksCannotRelayThoughTheProxyIsLoopback() throws Exception {
    try (SmtpClient c = via(ProxyBytes.proxy("203.0.113.9", 40002, "192.0.2.1", new byte[0]))) {
      assertThat(c.reply()).startsWith("220 ");
      c.command("EHLO client.test");
      c.command("MAIL FROM:<a@ok.test>");
      assertThat(c.command("RCPT TO:<b@ok.test>")).isEqualTo("554 5.7.1 Relay access denied");
    }
  }

  @Test
  void localMeansTheProxysOwnAddress() throws Exception {
    // 127.0.0.1 is not in this profile's trusted networks: a LOCAL session may not relay.
    try (SmtpClient c = via(ProxyBytes.local())) {
      assertThat(c.reply()).startsWith("220 ");
      c.command("EHLO health.check");
      c.command("MAIL FROM:<a@ok.test>");
      assertThat(c.command("RCPT TO:<b@ok.test>")).isEqualTo("554 5.7.1 Relay access denied");
      assertThat(c.command("QUIT")).startsWith("221");
    }
  }

  @Test
  void perClientConnectionLimitCountsTheHeadersClient() throws Exception {
    List<SmtpClient> open = new ArrayList<>();
    try {
      for (int i = 0; i < 2; i++) {
        SmtpClient c = via(ProxyBytes.proxy("203.0.113.20", 41000 + i, "192.0.2.1", new byte[0]));
        open.add(c);
        assertThat(c.reply()).startsWith("220 ");
      }
      try (SmtpClient third = via(ProxyBytes.proxy("203.0.113.20", 41002, "192.0.2.1", new byte[0]))) {
        assertThat(third.reply()).startsWith("421 4.7.0");
      }
      try (SmtpClient other = via(ProxyBytes.proxy("203.0.113.21", 41003, "192.0.2.1", new byte[0]))) {
        assertThat(other.reply()).startsWith("220 ");
      }
    } finally {
      for (SmtpClient c : open) {
        c.close();
      }
    }
  }

  @Test
  void smtpWithoutAHeaderIsClosedAtOnceWithoutAGreeting() throws Exception {
    double before = rejected("proxy-malformed");
    try (SmtpClient c = new SmtpClient(server.port())) {
      c.setTimeout(2000); // well under the 3 s command timeout: the refusal must not wait for it
      c.send("EHLO client.test\r\n");
      assertClosedWithoutGreeting(c);
    }
    assertThat(rejected("proxy-malformed")).isEqualTo(before + 1);
  }

  @Test
  void malformedHeadersAreRefused() throws Exception {
    byte[] v4 = ProxyBytes.proxy("198.51.100.7", 40000, "192.0.2.1", new byte[0]);
    byte[] udp = v4.clone();
    udp[13] = 0x12;
    byte[] truncatedTlv = ProxyBytes.proxy("198.51.100.7", 40000, "192.0.2.1", new byte[] {0x01, 0x00, 0x09, 'x'});
    byte[] tooLong = ProxyBytes.proxy("198.51.100.7", 40000, "192.0.2.1", ProxyBytes.tlv(0x04, new byte[2000]));
    byte[] version1 = "PROXY TCP4 198.51.100.7 192.0.2.1 40000 25\r\n".getBytes(StandardCharsets.US_ASCII);
    double before = rejected("proxy-malformed");
    for (byte[] header : new byte[][] {udp, truncatedTlv, tooLong, version1}) {
      try (SmtpClient c = via(header)) {
        c.setTimeout(10_000);
        assertClosedWithoutGreeting(c);
      }
    }
    assertThat(rejected("proxy-malformed")).isEqualTo(before + 4);
  }

  @Test
  void aMissingHeaderIsClosedWithinTheHeaderTimeout() throws Exception {
    double before = rejected("proxy-timeout");
    long started = System.nanoTime();
    try (SmtpClient c = new SmtpClient(server.port())) {
      c.setTimeout(20_000);
      c.send(java.util.Arrays.copyOf(ProxyBytes.SIGNATURE, 7)); // a start, then silence
      assertClosedWithoutGreeting(c);
    }
    long waited = Duration.ofNanos(System.nanoTime() - started).toMillis();
    assertThat(waited).isBetween(1_200L, 2_900L); // the header timeout (1.5 s), before the command timeout (3 s)
    assertThat(rejected("proxy-timeout")).isEqualTo(before + 1);
  }
}
