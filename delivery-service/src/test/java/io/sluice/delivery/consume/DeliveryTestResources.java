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

  static TestSmtpServer accepting;
  static TestSmtpServer rejecting;
  static TestSmtpServer deferring;

  @Override
  public Map<String, String> start() {
    try {
      accepting = new TestSmtpServer();
      rejecting = new TestSmtpServer();
      rejecting.rcptReply = rcpt -> "550 5.1.1 <" + rcpt + ">: Recipient address rejected: User unknown";
      deferring = new TestSmtpServer();
      // 4xx for the first RCPT of each address, then 250: the retry from the tier is delivered.
      java.util.Set<String> seen = java.util.concurrent.ConcurrentHashMap.newKeySet();
      deferring.rcptReply = rcpt -> rcpt.startsWith("always") || seen.add(rcpt)
          ? "450 4.2.1 <" + rcpt + ">: mailbox busy, try later" : "250 2.1.5 Ok";
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
    return Map.of(
        "sluice.delivery.consumer.group-id", "sluice-delivery-test-" + UUID.randomUUID(),
        "sluice.delivery.consumer.auto-offset-reset", "latest",
        "sluice.delivery.consumer.only-recipient-domains", ACCEPT + "," + REJECT + "," + DEFER,
        "sluice.delivery.routes.\"" + ACCEPT + "\"", accepting.hostPort(),
        "sluice.delivery.routes.\"" + REJECT + "\"", rejecting.hostPort(),
        "sluice.delivery.routes.\"" + DEFER + "\"", deferring.hostPort(),
        "sluice.delivery.smtp.command-timeout", "10s",
        // Retries after about 2 s, so a test sees the tier hold a record and then release it.
        "sluice.delivery.retry.initial-delay", "2s");
  }

  @Override
  public void stop() {
    try {
      accepting.close();
      rejecting.close();
      deferring.close();
    } catch (java.io.IOException ignored) {
      // ports are released with the JVM anyway
    }
  }
}
