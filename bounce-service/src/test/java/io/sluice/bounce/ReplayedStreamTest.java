package io.sluice.bounce;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.sluice.bounce.consume.EventConsumer;
import io.sluice.bounce.store.BounceReport;
import io.sluice.bounce.store.DeliveryEventRow;
import io.sluice.bounce.store.RecipientOutcome;
import io.sluice.bounce.store.TrackedMessage;
import io.sluice.schema.DeliveryEvent;
import io.sluice.schema.EventType;
import io.sluice.schema.MessageSummary;
import io.sluice.schema.QueueIds;
import io.sluice.schema.Recipient;
import io.sluice.schema.RemoteReply;
import io.sluice.schema.Topics;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/**
 * A whole stream of many messages, consumed in multi-message batches, then replayed in full: the
 * second pass adds no row and no DSN, and each message with failures got exactly one DSN.
 */
@QuarkusTest
@TestProfile(UniqueGroupProfile.class)
class ReplayedStreamTest {
  private static final int MESSAGES = 40;
  private static final Duration WAIT = Duration.ofSeconds(60);

  @Inject EventConsumer consumer;

  @ConfigProperty(name = "sluice.bounce.consumer.group-id")
  String group;

  @Test
  void replayingTheWholeStreamChangesNothing() throws Exception {
    Instant deadline = Instant.now().plus(WAIT);
    while (!consumer.hasAssignment() && Instant.now().isBefore(deadline)) {
      Thread.sleep(100);
    }
    String sender = "stream-" + UUID.randomUUID() + "@example.com";
    QueueIds ids = new QueueIds();
    List<DeliveryEvent> stream = new ArrayList<>();
    Set<String> bouncedMessages = new HashSet<>();
    List<String> queueIds = new ArrayList<>();
    Instant t = Instant.now();
    for (int m = 0; m < MESSAGES; m++) {
      String queueId = ids.next();
      queueIds.add(queueId);
      MessageSummary summary = BounceFlowTest.summary(sender, "<" + queueId + "@example.com>");
      Recipient ok = Recipient.of("ok" + m + "@ok.test");
      Recipient bad1 = Recipient.of("bad" + m + "a@reject.test");
      Recipient bad2 = Recipient.of("bad" + m + "b@reject.test");
      stream.add(DeliveryEvent.received(queueId, ok, t, summary));
      stream.add(DeliveryEvent.received(queueId, bad1, t, summary));
      stream.add(new DeliveryEvent(queueId, EventType.DELIVERED, ok, 1, t, "mx.ok.test",
          new RemoteReply(250, "2.0.0", "ok"), 0, null));
      if (m % 2 == 0) { // every second message: two recipients fail in the same attempt
        stream.add(DeliveryEvent.received(queueId, bad2, t, summary));
        stream.add(BounceFlowTest.failed(queueId, bad1, 1, t, new RemoteReply(550, "5.1.1", "no"), 2, summary));
        stream.add(BounceFlowTest.failed(queueId, bad2, 1, t, new RemoteReply(550, "5.1.1", "no"), 2, summary));
        bouncedMessages.add(queueId);
      } else { // the others: one deferral, then delivered on attempt 2
        stream.add(new DeliveryEvent(queueId, EventType.DEFERRED, bad1, 1, t, "mx.reject.test",
            new RemoteReply(451, "4.3.0", "later"), 0, null));
        stream.add(new DeliveryEvent(queueId, EventType.DELIVERED, bad1, 2, t.plusSeconds(300), "mx.reject.test",
            new RemoteReply(250, "2.0.0", "ok"), 0, null));
      }
    }

    try (TestKafka kafka = new TestKafka(); TestKafka.Watcher submitted = kafka.watch(Topics.SUBMITTED)) {
      List<RecordMetadata> first = new ArrayList<>();
      for (DeliveryEvent e : stream) {
        first.add(kafka.send(e, null));
      }
      kafka.awaitCommitted(group, first, WAIT);
      long events = DeliveryEventRow.count("queueId in ?1", queueIds);
      long outcomes = RecipientOutcome.count("queueId in ?1", queueIds);
      long reports = BounceReport.count("queueId in ?1", queueIds);
      assertThat(events).isEqualTo(stream.size());
      assertThat(outcomes).isEqualTo(MESSAGES * 2 + MESSAGES / 2);
      assertThat(reports).isEqualTo(bouncedMessages.size());
      assertThat(TrackedMessage.count("queueId in ?1", queueIds)).isEqualTo(MESSAGES);

      List<RecordMetadata> replay = new ArrayList<>();
      for (DeliveryEvent e : stream) {
        replay.add(kafka.send(e, null));
      }
      kafka.awaitCommitted(group, replay, WAIT);
      assertThat(DeliveryEventRow.count("queueId in ?1", queueIds)).isEqualTo(events);
      assertThat(RecipientOutcome.count("queueId in ?1", queueIds)).isEqualTo(outcomes);
      assertThat(BounceReport.count("queueId in ?1", queueIds)).isEqualTo(reports);
      assertThat(RecipientOutcome.count("queueId in ?1 and status = 'DELIVERED'", queueIds))
          .isEqualTo(MESSAGES + MESSAGES / 2);

      // Exactly one DSN per message with failures, none for the others.
      var dsns = submitted.matching(r -> BounceFlowTest.isDsnTo(r, sender), Duration.ofSeconds(2));
      assertThat(dsns).hasSize(bouncedMessages.size());
    }
  }
}
