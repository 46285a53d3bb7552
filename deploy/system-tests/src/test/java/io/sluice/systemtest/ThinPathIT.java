package io.sluice.systemtest;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.schema.DeliveryEvent;
import io.sluice.schema.EventType;
import io.sluice.schema.SubmittedMessage;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The thin path: swaks → ingress → Kafka → MX lookup through dnsmasq → smtp-sink, with the
 * outcome on sluice.events.
 */
@ExtendWith(SluiceStack.class)
class ThinPathIT {
  private static final Duration WAIT = Duration.ofSeconds(60);

  @Test
  void mailIsRelayedToTheMxHostByteForByteAndReportedDelivered() throws Exception {
    SluiceStack stack = SluiceStack.get();
    String marker = UUID.randomUUID().toString();
    String submitted = "From: Sender <sender@ok.test>\r\n"
        + "To: <rcpt@ok.test>\r\n"
        + "Subject: thin path " + marker + "\r\n"
        + "Message-ID: <" + marker + "@ok.test>\r\n"
        + "Date: Mon, 23 Nov 2026 12:00:00 +0000\r\n"
        + "\r\n"
        + "Hello from the system test.\r\n"
        + ".A line that starts with a dot survives stuffing and unstuffing.\r\n"
        + "\r\n"
        + "Bye.\r\n";

    Swaks.Result result = Swaks.send(stack.smtpPort, "sender@ok.test", "rcpt@ok.test",
        submitted.getBytes(StandardCharsets.US_ASCII));
    assertThat(result.exitCode()).as(result.transcript()).isZero();
    String queueId = result.queueId();

    // 250 came back, so the record must be on sluice.submitted: the submitted bytes behind ingress's Received header.
    try (EventWatcher queue = EventWatcher.submitted()) {
      SubmittedMessage record = queue.awaitMessage(m -> m.queueId().equals(queueId), WAIT, "record " + queueId);
      String content = new String(record.content(), StandardCharsets.US_ASCII);
      assertThat(content).startsWith("Received: ").contains(queueId).endsWith("\r\n" + submitted);
      assertThat(record.reversePath()).isEqualTo("sender@ok.test");
      assertThat(record.recipients()).extracting(r -> r.address()).containsExactly("rcpt@ok.test");
    }

    try (EventWatcher events = EventWatcher.events()) {
      events.awaitEvent(queueId, EventType.RECEIVED, WAIT);
      DeliveryEvent delivered = events.awaitEvent(queueId, EventType.DELIVERED, WAIT);
      assertThat(delivered.recipient().address()).isEqualTo("rcpt@ok.test");
      assertThat(delivered.reply().code()).isEqualTo(250);
      assertThat(delivered.attempt()).isEqualTo(1);
    }

    SinkDump dump = SinkDump.await(stack.acceptedDumps, marker, WAIT);
    assertThat(dump.mailArgs()).contains("<sender@ok.test>");
    assertThat(dump.rcptArgs()).isEqualTo("<rcpt@ok.test>");
    String[] relayed = splitFirstHeaderField(dump.message());
    assertThat(relayed[0]).as("ingress's trace header").startsWith("Received: ").contains(queueId);
    // Everything after ingress's Received header is exactly what swaks submitted.
    assertThat(relayed[1]).isEqualTo(SinkDump.withoutTrailingNewlines(submitted.replace("\r\n", "\n")));
  }

  /** Splits off the first header field, with its folded continuation lines. */
  private static String[] splitFirstHeaderField(String message) {
    int end = message.indexOf('\n');
    while (end >= 0 && end + 1 < message.length()
        && (message.charAt(end + 1) == ' ' || message.charAt(end + 1) == '\t')) {
      end = message.indexOf('\n', end + 1);
    }
    return new String[] {message.substring(0, end), message.substring(end + 1)};
  }
}
