package io.sluice.systemtest;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.schema.DeliveryEvent;
import io.sluice.schema.EventType;
import io.sluice.schema.SubmittedMessage;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A permanent failure: smtp-sink with {@code -f RCPT} answers 5xx, delivery reports BOUNCED,
 * bounce-service records it and sends a DSN with a null sender back to the envelope sender, which
 * delivery then relays like any other mail.
 */
@ExtendWith(SluiceStack.class)
class BounceIT {
  private static final Duration WAIT = Duration.ofSeconds(60);

  @Test
  void rejectedRecipientBouncesIsRecordedAndTheSenderGetsOneDsn() throws Exception {
    SluiceStack stack = SluiceStack.get();
    String marker = UUID.randomUUID().toString();
    String sender = "sender-" + marker + "@ok.test";
    String message = "From: <" + sender + ">\r\nTo: <nobody@reject.test>\r\nSubject: bounce " + marker
        + "\r\nMessage-ID: <" + marker + "@ok.test>\r\n\r\nThis one cannot be delivered.\r\n";

    Swaks.Result result = Swaks.send(stack.smtpPort, sender, "nobody@reject.test",
        message.getBytes(StandardCharsets.US_ASCII));
    assertThat(result.exitCode()).as(result.transcript()).isZero();
    String queueId = result.queueId();

    try (EventWatcher events = EventWatcher.events()) {
      DeliveryEvent bounced = events.awaitEvent(queueId, EventType.BOUNCED, WAIT);
      assertThat(bounced.recipient().address()).isEqualTo("nobody@reject.test");
      assertThat(bounced.reply().code()).isBetween(500, 599);
      assertThat(bounced.failuresInAttempt()).isEqualTo(1);
      assertThat(events.eventsFor(queueId)).extracting(DeliveryEvent::type).doesNotContain(EventType.DELIVERED);
    }

    try (EventWatcher queue = EventWatcher.submitted()) {
      SubmittedMessage dsn = queue.awaitMessage(
          m -> m.hasNullSender() && m.recipients().getFirst().address().equals(sender), WAIT, "DSN to " + sender);
      String dsnText = new String(dsn.content(), StandardCharsets.UTF_8);
      assertThat(dsnText).contains("multipart/report").contains("delivery-status")
          .contains("nobody@reject.test").contains("Auto-Submitted: auto-replied");
      // The DSN is mail like any other: delivery relays it to the sender's MX with MAIL FROM:<>.
      SinkDump relayed = SinkDump.await(stack.acceptedDumps, "Subject: bounce " + marker, WAIT);
      assertThat(relayed.mailArgs()).startsWith("<>");
      assertThat(relayed.rcptArgs()).isEqualTo("<" + sender + ">");
    }

    String record = awaitTracking(stack.bounceHttpPort, queueId);
    assertThat(record).contains("nobody@reject.test").containsIgnoringCase("bounced");
  }

  /** bounce-service persists asynchronously; poll its tracking API until the bounce shows up. */
  private static String awaitTracking(int port, String queueId) throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v1/messages/" + queueId))
        .header("Authorization", "Bearer " + SluiceStack.API_TOKEN).build();
    Instant deadline = Instant.now().plus(WAIT);
    String last = "";
    while (Instant.now().isBefore(deadline)) {
      HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
      last = response.statusCode() + " " + response.body();
      if (response.statusCode() == 200 && response.body().toLowerCase().contains("bounced")) {
        return response.body();
      }
      Thread.sleep(500);
    }
    throw new AssertionError("tracking API never showed the bounce of " + queueId + "; last answer: " + last);
  }
}
