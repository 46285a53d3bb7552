package io.sluice.bounce.consume;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.context.Context;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.sluice.bounce.UniqueGroupProfile;
import io.sluice.bounce.dsn.Outcome;
import io.sluice.bounce.store.BounceReport;
import io.sluice.bounce.store.Suppression;
import io.sluice.schema.DeliveryEvent;
import io.sluice.schema.EventType;
import io.sluice.schema.MessageSummary;
import io.sluice.schema.QueueIds;
import io.sluice.schema.Recipient;
import io.sluice.schema.RemoteReply;
import io.sluice.schema.Ret;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * The failure reports and suppression changes of a poll batch are decided together (one read per
 * table for the whole batch): each failed attempt still gets exactly one DSN, an attempt whose
 * failures span two batches gets its DSN with the second, an attempt already reported gets none, and
 * one address bouncing twice in a batch makes one entry. Real PostgreSQL and broker.
 */
@QuarkusTest
@TestProfile(UniqueGroupProfile.class)
class BatchReportsTest {
  private static final RemoteReply NO_USER = new RemoteReply(550, "5.1.1", "no such user");

  @Inject BatchHandler handler;

  private final QueueIds ids = new QueueIds();
  private final Instant at = Instant.now().truncatedTo(ChronoUnit.MILLIS);
  private final String run = UUID.randomUUID().toString().substring(0, 8);

  @Test
  void everyFailedAttemptOfABatchGetsOneReport() throws Exception {
    String m1 = ids.next();
    String m2 = ids.next();
    String m3 = ids.next();
    String m4 = ids.next();
    String m5 = ids.next();
    String gone = "gone-" + run + "@reject.test";
    String kept = "kept-" + run + "@reject.test";
    insertEntry(kept, at.plus(Duration.ofDays(1)));

    List<BatchHandler.Incoming> first = List.of(
        bounce(m1, "a-" + run + "@reject.test", 2),
        bounce(m1, "b-" + run + "@reject.test", 2),
        bounce(m2, gone.toUpperCase(), 1),
        bounce(m3, gone, 1),
        bounce(m4, kept, 1),
        bounce(m5, "c-" + run + "@reject.test", 2)); // its second failure comes in the next batch
    BatchHandler.Result result = handler.handle(first);

    assertThat(result.reports()).hasSize(5);
    List<Outcome.Sent> sent = result.reports().stream()
        .filter(Outcome.Sent.class::isInstance).map(Outcome.Sent.class::cast).toList();
    assertThat(sent).hasSize(4);
    assertThat(sent).extracting(Outcome.Sent::dsnQueueId).doesNotHaveDuplicates();
    assertThat(sent.getFirst().recipients()).as("m1's two failures share one DSN").isEqualTo(2);
    assertThat(sent).extracting(Outcome.Sent::ack).allMatch(Future::isDone);
    assertThat(result.reports()).filteredOn(Outcome.Incomplete.class::isInstance).hasSize(1);
    assertThat(result.suppressed()).as("a, b, c and gone (twice, one entry) are new; kept is extended").isEqualTo(4);
    assertThat(entries(gone)).isEqualTo(1);
    assertThat(expiryOf(kept)).isEqualTo(at.plus(Duration.ofDays(30)));

    List<BatchHandler.Incoming> second = List.of(
        bounce(m5, "d-" + run + "@reject.test", 2),
        bounce(m1, "late-" + run + "@reject.test", 2)); // a new event of an attempt already reported
    BatchHandler.Result next = handler.handle(second);

    assertThat(next.reports()).hasSize(2);
    assertThat(next.reports().get(0)).isInstanceOfSatisfying(Outcome.Sent.class,
        s -> assertThat(s.recipients()).isEqualTo(2));
    assertThat(next.reports().get(1)).isInstanceOf(Outcome.NothingDue.class);
    for (String queueId : List.of(m1, m2, m3, m4, m5)) {
      assertThat(reports(queueId)).as(queueId).isEqualTo(1);
    }

    BatchHandler.Result replay = handler.handle(first);
    assertThat(replay.stored()).isZero();
    assertThat(replay.duplicates()).isEqualTo(first.size());
    assertThat(replay.reports()).isEmpty();
    assertThat(replay.suppressed()).isZero();
  }

  private BatchHandler.Incoming bounce(String queueId, String recipient, int failuresInAttempt) {
    MessageSummary summary = new MessageSummary("sender-" + run + "@example.com", null, Ret.HDRS, null, 10, at,
        "192.0.2.1", "Subject: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
    return new BatchHandler.Incoming(new DeliveryEvent(queueId, EventType.BOUNCED, Recipient.of(recipient), 1, at,
        "mx.reject.test", NO_USER, failuresInAttempt, summary), Context.root());
  }

  private static void insertEntry(String address, Instant expiresAt) {
    QuarkusTransaction.requiringNew().run(() -> {
      Suppression s = new Suppression();
      s.address = address;
      s.reason = "test";
      s.source = Suppression.Source.API;
      s.createdAt = Instant.now();
      s.expiresAt = expiresAt;
      s.persist();
    });
  }

  private static long entries(String address) {
    return QuarkusTransaction.requiringNew().call(() -> Suppression.count("address", address));
  }

  private static Instant expiryOf(String address) {
    return QuarkusTransaction.requiringNew().call(
        () -> Suppression.<Suppression>find("address", address).firstResult().expiresAt);
  }

  private static long reports(String queueId) {
    return QuarkusTransaction.requiringNew().call(
        () -> BounceReport.count("queueId = ?1 and kind = ?2", queueId, BounceReport.Kind.FAILED));
  }
}
