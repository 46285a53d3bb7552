package io.sluice.bounce;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.sluice.bounce.store.BounceReport;
import io.sluice.bounce.store.DeliveryEventRow;
import io.sluice.bounce.store.RecipientOutcome;
import io.sluice.bounce.store.Retention;
import io.sluice.bounce.store.Suppression;
import io.sluice.bounce.store.TrackedMessage;
import io.sluice.schema.QueueIds;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Old tracking data goes, recent data and live suppressions stay. */
@QuarkusTest
@TestProfile(UniqueGroupProfile.class)
class RetentionTest {
  private static final QueueIds IDS = new QueueIds();

  @Inject Retention retention;

  @Test
  void dataOlderThanTheCutoffIsPurgedInChunks() {
    Instant now = Instant.now();
    Instant old = now.minus(Duration.ofDays(40));
    String oldId = IDS.next();
    String newId = IDS.next();
    String expired = "expired-" + UUID.randomUUID() + "@example.com";
    String live = "live-" + UUID.randomUUID() + "@example.com";
    String permanent = "permanent-" + UUID.randomUUID() + "@example.com";
    QuarkusTransaction.requiringNew().run(() -> {
      for (String[] m : new String[][] {{oldId, "old"}, {newId, "new"}}) {
        Instant at = m[1].equals("old") ? old : now;
        TrackedMessage msg = new TrackedMessage();
        msg.queueId = m[0];
        msg.sender = "a@example.com";
        msg.sizeBytes = 1;
        msg.receivedAt = at;
        msg.clientAddress = "192.0.2.1";
        msg.recordedAt = at;
        msg.persist();
        for (int i = 0; i < 3; i++) {
          RecipientOutcome o = new RecipientOutcome();
          o.queueId = m[0];
          o.recipient = "r" + i + "@example.net";
          o.domain = "example.net";
          o.status = "DELIVERED";
          o.firstEventAt = at;
          o.lastEventAt = at;
          o.persist();
          DeliveryEventRow e = new DeliveryEventRow();
          e.queueId = m[0];
          e.recipient = o.recipient;
          e.eventType = "DELIVERED";
          e.attempt = 1;
          e.occurredAt = at;
          e.recordedAt = at;
          e.persist();
        }
        BounceReport r = new BounceReport();
        r.queueId = m[0];
        r.attempt = 1;
        r.kind = BounceReport.Kind.FAILED;
        r.recipients = 1;
        r.createdAt = at;
        r.persist();
      }
      suppression(expired, now.minus(Duration.ofDays(35)));
      suppression(live, now.plus(Duration.ofDays(5)));
      suppression(permanent, null);
    });

    Retention.Purged purged = retention.purgeOlderThan(now.minus(Duration.ofDays(30)));

    assertThat(purged.events()).isGreaterThanOrEqualTo(3);
    assertThat(TrackedMessage.count("queueId", oldId)).isZero();
    assertThat(RecipientOutcome.count("queueId", oldId)).isZero();
    assertThat(DeliveryEventRow.count("queueId", oldId)).isZero();
    assertThat(BounceReport.count("queueId", oldId)).isZero();
    assertThat(TrackedMessage.count("queueId", newId)).isEqualTo(1);
    assertThat(RecipientOutcome.count("queueId", newId)).isEqualTo(3);
    assertThat(DeliveryEventRow.count("queueId", newId)).isEqualTo(3);
    assertThat(BounceReport.count("queueId", newId)).isEqualTo(1);
    assertThat(Suppression.count("address", expired)).isZero();
    assertThat(Suppression.count("address", live)).isEqualTo(1);
    assertThat(Suppression.count("address", permanent)).isEqualTo(1);
  }

  private static void suppression(String address, Instant expiresAt) {
    Suppression s = new Suppression();
    s.address = address;
    s.reason = "test";
    s.source = Suppression.Source.API;
    s.createdAt = Instant.now().minus(Duration.ofDays(60));
    s.expiresAt = expiresAt;
    s.persist();
  }
}
