package io.sluice.delivery.consume;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.sluice.delivery.transport.TestSmtpServer;
import java.util.Map;
import java.util.UUID;

/**
 * Test SMTP servers on ephemeral ports and the configuration that routes the test domains to them.
 * The shared broker also carries other engineers' records: this instance uses its own consumer
 * group, starts from the end of the topics, and handles only records addressed to its domains.
 */
public class DeliveryTestResources implements QuarkusTestResourceLifecycleManager {
  public static final String ACCEPT = "accept.delivery.test";
  public static final String REJECT = "reject.delivery.test";
  public static final String DEFER = "defer.delivery.test";
  /** Routed to a server that answers 4xx to every RCPT, so that the destination is paused. */
  public static final String TEMPFAIL = "tempfail.delivery.test";
  /** Routed to a server that takes a second to accept each message. */
  public static final String SLOW = "slow.delivery.test";

  /** MX: mx1 (preference 10) at 127.0.0.66 where nothing listens, mx2 (20) at the accepting server. */
  public static final String TWO_MX = "twomx.dtest";
  public static final String NULL_MX = "nullmx.dtest";
  public static final String NO_SUCH_DOMAIN = "nx.dtest";
  /** Static route to a port where nothing listens. */
  public static final String UNREACHABLE = "unreachable.delivery.test";

  static io.sluice.delivery.route.Dnsmasq dns;
  static TestSmtpServer accepting;
  static TestSmtpServer rejecting;
  static TestSmtpServer deferring;
  static TestSmtpServer slow;
  static TestSmtpServer tempfailing;

  @Override
  public Map<String, String> start() {
    try {
      accepting = new TestSmtpServer();
      rejecting = new TestSmtpServer();
      rejecting.rcptReply = rcpt -> "550 5.1.1 <" + rcpt + ">: Recipient address rejected: User unknown";
      slow = new TestSmtpServer();
      slow.dataDelayMillis = 1000;
      tempfailing = new TestSmtpServer();
      tempfailing.rcptReply = rcpt -> "451 4.3.0 <" + rcpt + ">: try again later";
      deferring = new TestSmtpServer();
      // 4xx for the first RCPT of each address, then 250: the retry from the tier is delivered.
      java.util.Set<String> seen = java.util.concurrent.ConcurrentHashMap.newKeySet();
      deferring.rcptReply = rcpt -> rcpt.startsWith("always") || seen.add(rcpt)
          ? "450 4.2.1 <" + rcpt + ">: mailbox busy, try later" : "250 2.1.5 Ok";
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
    int closedPort;
    try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      closedPort = s.getLocalPort();
      dns = new io.sluice.delivery.route.Dnsmasq(java.util.List.of(
          "--mx-host=" + TWO_MX + ",mx1." + TWO_MX + ",10", "--host-record=mx1." + TWO_MX + ",127.0.0.66",
          "--mx-host=" + TWO_MX + ",mx2." + TWO_MX + ",20", "--host-record=mx2." + TWO_MX + ",127.0.0.1",
          "--dns-rr=" + NULL_MX + ",15,000000"));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
    return Map.ofEntries(
        Map.entry("sluice.delivery.consumer.group-id", "sluice-delivery-test-" + UUID.randomUUID()),
        Map.entry("sluice.delivery.consumer.auto-offset-reset", "latest"),
        Map.entry("sluice.delivery.consumer.only-recipient-domains",
            String.join(",", ACCEPT, REJECT, DEFER, TEMPFAIL, SLOW, TWO_MX, NULL_MX, NO_SUCH_DOMAIN, UNREACHABLE)),
        Map.entry("sluice.delivery.routes.\"" + ACCEPT + "\"", accepting.hostPort()),
        Map.entry("sluice.delivery.routes.\"" + REJECT + "\"", rejecting.hostPort()),
        Map.entry("sluice.delivery.routes.\"" + DEFER + "\"", deferring.hostPort()),
        Map.entry("sluice.delivery.routes.\"" + SLOW + "\"", slow.hostPort()),
        Map.entry("sluice.delivery.routes.\"" + TEMPFAIL + "\"", tempfailing.hostPort()),
        Map.entry("sluice.delivery.routes.\"" + UNREACHABLE + "\"", "127.0.0.1:" + closedPort),
        // MX routing through dnsmasq; MX hosts are reached on the accepting server's port.
        Map.entry("sluice.delivery.dns.servers", dns.server()),
        Map.entry("sluice.delivery.smtp.port", String.valueOf(accepting.port())),
        Map.entry("sluice.delivery.smtp.command-timeout", "10s"),
        Map.entry("sluice.delivery.smtp.connect-timeout", "2s"),
        // Retries after about 2 s, so a test sees the tier hold a record and then release it.
        Map.entry("sluice.delivery.retry.initial-delay", "2s"));
  }

  @Override
  public void stop() {
    try {
      accepting.close();
      rejecting.close();
      deferring.close();
      slow.close();
      tempfailing.close();
      dns.close();
    } catch (java.io.IOException ignored) {
      // ports are released with the JVM anyway
    }
  }
}
