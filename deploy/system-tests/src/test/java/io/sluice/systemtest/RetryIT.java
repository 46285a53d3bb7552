package io.sluice.systemtest;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.schema.DeliveryEvent;
import io.sluice.schema.EventType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A destination that answers 4xx to every RCPT (smtp-sink -r RCPT) defers the recipient to a retry
 * tier; once the destination accepts again (the sink is replaced by one that does), a later attempt
 * from the tier delivers it, and the recipient has no final event before that.
 */
@ExtendWith(SluiceStack.class)
class RetryIT {
  private static final Duration WAIT = Duration.ofSeconds(90);

  @Test
  void aTemporarilyRefusedRecipientIsDeliveredOnALaterAttemptOnceTheDestinationAccepts() throws Exception {
    SluiceStack stack = SluiceStack.get();
    String marker = UUID.randomUUID().toString();
    String submitted = "From: <sender@ok.test>\r\nTo: <later@retry.test>\r\nSubject: retry " + marker
        + "\r\n\r\nDeferred first, delivered later.\r\n";

    String queueId = Swaks.submit(stack.smtpPort, "sender@ok.test", "later@retry.test", submitted);

    try (EventWatcher events = EventWatcher.events()) {
      DeliveryEvent deferred = events.awaitEvent(queueId, EventType.DEFERRED, WAIT);
      assertThat(deferred.attempt()).isEqualTo(1);
      assertThat(deferred.reply().code()).as("smtp-sink -r RCPT answers 4xx").isBetween(400, 499);
      assertThat(deferred.remoteMta()).contains("mx.retry.test");

      Path dumps = Files.createTempDirectory("sluice-sink-retry");
      Files.setPosixFilePermissions(dumps, PosixFilePermissions.fromString("rwxrwxrwx"));
      stack.acceptAtRetrySink(dumps);

      DeliveryEvent delivered = events.awaitEvent(queueId, EventType.DELIVERED, WAIT);
      assertThat(delivered.recipient().address()).isEqualTo("later@retry.test");
      assertThat(delivered.reply().code()).isEqualTo(250);
      assertThat(delivered.attempt()).as("delivered from a retry tier").isGreaterThan(1);
      assertThat(events.eventsFor(queueId)).as("no final event before the delivery")
          .noneMatch(e -> e.type() == EventType.BOUNCED || e.type() == EventType.EXPIRED);

      SinkDump dump = SinkDump.await(dumps, marker, WAIT);
      assertThat(dump.rcptArgs()).isEqualTo("<later@retry.test>");
    }
  }
}
