package io.sluice.bounce.suppress;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.sluice.bounce.TestKafka;
import io.sluice.bounce.UniqueGroupProfile;
import io.sluice.bounce.consume.EventConsumer;
import io.sluice.bounce.store.Suppression;
import io.sluice.schema.AvroCodec;
import io.sluice.schema.DeliveryEvent;
import io.sluice.schema.EventType;
import io.sluice.schema.MessageSummary;
import io.sluice.schema.Recipient;
import io.sluice.schema.RemoteReply;
import io.sluice.schema.Ret;
import io.sluice.schema.SuppressionEntry;
import io.sluice.schema.Topics;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Every change of the suppression list reaches the compacted sluice.suppressions, where delivery
 * reads it: hard bounces, API create, update and delete (a tombstone), the purge of expired entries,
 * and the republishing of the whole table.
 */
@QuarkusTest
@TestProfile(UniqueGroupProfile.class)
class SuppressionFeedTest {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final AvroCodec<SuppressionEntry> ENTRIES = AvroCodec.suppressionEntries();
  private TestKafka kafka;

  @Inject EventConsumer consumer;
  @Inject SuppressionFeed feed;

  @BeforeEach
  void setUp() throws InterruptedException {
    kafka = new TestKafka();
    TestKafka.awaitAssigned(consumer, WAIT);
  }

  @AfterEach
  void tearDown() {
    kafka.close();
  }

  @Test
  void aHardBouncePublishesTheEntryKeyedByTheLowerCasedAddress() throws Exception {
    String address = "Gone-" + UUID.randomUUID() + "@Reject.test";
    String key = SuppressionEntry.key(address);
    Instant at = Instant.now().truncatedTo(ChronoUnit.MILLIS);
    MessageSummary summary = new MessageSummary("sender@example.com", null, Ret.HDRS, null, 10, at, "192.0.2.1",
        "Subject: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
    try (TestKafka.Watcher topic = kafka.watch(Topics.SUPPRESSIONS)) {
      kafka.send(new DeliveryEvent("01JAAAAAAAAAAAAAAAAAAAAAAA", EventType.BOUNCED, Recipient.of(address), 1, at,
          "mx.reject.test", new RemoteReply(550, "5.1.1", "no such user"), 1, summary), null);

      SuppressionEntry entry = ENTRIES.decode(topic.await(r -> keyIs(r, key), WAIT).value());

      assertThat(entry.address()).isEqualTo(key);
      assertThat(entry.source()).isEqualTo("BOUNCE");
      assertThat(entry.sourceQueueId()).isEqualTo("01JAAAAAAAAAAAAAAAAAAAAAAA");
      assertThat(entry.reason()).contains("5.1.1");
      assertThat(entry.expiresAt()).isEqualTo(at.plus(Duration.ofDays(30)));
    }
  }

  @Test
  void apiCreateUpdateAndDeleteArePublishedAndDeleteIsATombstone() throws Exception {
    String address = "api-" + UUID.randomUUID() + "@example.net";
    try (TestKafka.Watcher topic = kafka.watch(Topics.SUPPRESSIONS)) {
      given().auth().oauth2("test-token").contentType(ContentType.JSON)
          .body("{\"address\":\"" + address.toUpperCase() + "\",\"reason\":\"complaint\"}")
          .post("/api/v1/suppressions").then().statusCode(201);
      SuppressionEntry created = ENTRIES.decode(topic.await(r -> keyIs(r, address), WAIT).value());
      assertThat(created.source()).isEqualTo("API");
      assertThat(created.reason()).isEqualTo("complaint");
      assertThat(created.expiresAt()).isNull();

      given().auth().oauth2("test-token").contentType(ContentType.JSON)
          .body("{\"reason\":\"until friday\",\"expiresAt\":\"2030-01-04T00:00:00Z\"}")
          .put("/api/v1/suppressions/" + address).then().statusCode(200);
      ConsumerRecord<byte[], byte[]> updated = topic.await(r -> keyIs(r, address) && r.value() != null
          && ENTRIES.decode(r.value()).expiresAt() != null, WAIT);
      assertThat(ENTRIES.decode(updated.value()).expiresAt()).isEqualTo(Instant.parse("2030-01-04T00:00:00Z"));

      given().auth().oauth2("test-token").delete("/api/v1/suppressions/" + address).then().statusCode(204);
      ConsumerRecord<byte[], byte[]> tombstone = topic.await(r -> keyIs(r, address) && r.value() == null, WAIT);
      assertThat(tombstone.offset()).isGreaterThan(updated.offset());
    }
  }

  @Test
  void purgingAnExpiredEntryPublishesItsTombstone() throws Exception {
    String address = "expired-" + UUID.randomUUID() + "@example.net";
    insert(address, Instant.now().minus(Duration.ofDays(60)));
    try (TestKafka.Watcher topic = kafka.watch(Topics.SUPPRESSIONS)) {
      while (feed.purgeExpired(Instant.now().minus(Duration.ofDays(30)), 100) > 0) {
        // drain every expired entry, other tests' included
      }
      assertThat(topic.await(r -> keyIs(r, address), WAIT).value()).isNull();
      assertThat(Suppression.count("address", address)).isZero();
    }
  }

  @Test
  void republishingSendsEveryEntryOfTheTable() throws Exception {
    String address = "old-" + UUID.randomUUID() + "@example.net";
    insert(address, null); // as if listed before the topic existed
    try (TestKafka.Watcher topic = kafka.watch(Topics.SUPPRESSIONS)) {
      long afterId = -1;
      java.util.List<Long> ids;
      do {
        ids = feed.republishChunk(afterId, 50);
        afterId = ids.isEmpty() ? afterId : ids.getLast();
      } while (ids.size() == 50);

      assertThat(ENTRIES.decode(topic.await(r -> keyIs(r, address), WAIT).value()).expiresAt()).isNull();
    }
  }

  @Transactional
  void insert(String address, Instant expiresAt) {
    Suppression s = new Suppression();
    s.address = address;
    s.reason = "test";
    s.source = Suppression.Source.API;
    s.createdAt = Instant.now().minus(Duration.ofDays(90));
    s.expiresAt = expiresAt;
    s.persist();
  }

  private static boolean keyIs(ConsumerRecord<byte[], byte[]> r, String address) {
    return r.key() != null && new String(r.key(), StandardCharsets.UTF_8).equals(SuppressionEntry.key(address));
  }
}
