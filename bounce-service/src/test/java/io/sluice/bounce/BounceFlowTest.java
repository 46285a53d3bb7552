package io.sluice.bounce;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.sluice.bounce.consume.EventConsumer;
import io.sluice.bounce.store.BounceReport;
import io.sluice.bounce.store.DeliveryEventRow;
import io.sluice.bounce.store.RecipientOutcome;
import io.sluice.bounce.store.TrackedMessage;
import io.sluice.schema.AvroCodec;
import io.sluice.schema.DeliveryEvent;
import io.sluice.schema.EventType;
import io.sluice.schema.KafkaHeaders;
import io.sluice.schema.MessageSummary;
import io.sluice.schema.Notify;
import io.sluice.schema.QueueIds;
import io.sluice.schema.Recipient;
import io.sluice.schema.RemoteReply;
import io.sluice.schema.Ret;
import io.sluice.schema.SubmittedMessage;
import io.sluice.schema.Topics;
import jakarta.inject.Inject;
import jakarta.mail.Session;
import jakarta.mail.internet.InternetHeaders;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import jakarta.mail.util.ByteArrayDataSource;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.Header;
import org.eclipse.angus.mail.dsn.DeliveryStatus;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * bounce-service against the real broker and PostgreSQL: events in on sluice.events, DSNs out on
 * sluice.submitted, unreadable records out on sluice.dead, tracking over HTTP.
 */
@QuarkusTest
@TestProfile(UniqueGroupProfile.class)
class BounceFlowTest {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final AvroCodec<SubmittedMessage> SUBMITTED = AvroCodec.submittedMessages();
  private static final QueueIds IDS = new QueueIds();
  private static TestKafka kafka;

  @Inject EventConsumer consumer;

  @ConfigProperty(name = "sluice.bounce.consumer.group-id")
  String group;

  @BeforeAll
  static void clients() {
    kafka = new TestKafka();
  }

  @AfterAll
  static void closeClients() {
    kafka.close();
  }

  @BeforeEach
  void consumerIsReady() throws InterruptedException {
    Instant deadline = Instant.now().plus(WAIT);
    while (!consumer.hasAssignment() && Instant.now().isBefore(deadline)) {
      Thread.sleep(100);
    }
    assertThat(consumer.hasAssignment()).as("consumer assigned to sluice.events").isTrue();
  }

  @Test
  void twoRecipientsFailingInOneAttemptGetOneDsnAndAReplayChangesNothing() throws Exception {
    String queueId = IDS.next();
    String sender = "sender-" + UUID.randomUUID() + "@example.com";
    MessageSummary summary = summary(sender, "<" + queueId + "@example.com>");
    Instant t = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    Recipient bob = new Recipient("bob@reject.test", Set.of(Notify.FAILURE), "rfc822;Bob@Reject.test");
    Recipient carol = Recipient.of("carol@reject.test");
    String traceparent = "00-" + hex(32) + "-" + hex(16) + "-01";
    List<DeliveryEvent> events = List.of(
        DeliveryEvent.received(queueId, bob, t, summary),
        DeliveryEvent.received(queueId, carol, t, summary),
        failed(queueId, bob, 1, t.plusSeconds(5), new RemoteReply(550, "5.1.1", "no such user"), 2, summary),
        failed(queueId, carol, 1, t.plusSeconds(5), new RemoteReply(552, "5.2.2", "mailbox full"), 2, summary));

    try (TestKafka.Watcher submitted = kafka.watch(Topics.SUBMITTED)) {
      List<RecordMetadata> sent = new ArrayList<>();
      for (DeliveryEvent e : events) {
        sent.add(kafka.send(e, traceparent));
      }
      ConsumerRecord<byte[], byte[]> record = submitted.await(r -> isDsnTo(r, sender), WAIT);
      SubmittedMessage dsn = SUBMITTED.decode(record.value());
      assertThat(dsn.reversePath()).isEqualTo(SubmittedMessage.NULL_SENDER);
      assertThat(dsn.recipients()).extracting(Recipient::address).containsExactly(sender);
      assertThat(new String(record.key(), StandardCharsets.US_ASCII)).isEqualTo(dsn.queueId());
      // Contract 6: the DSN continues the trace of the event that triggered it.
      Header tp = record.headers().lastHeader(KafkaHeaders.TRACEPARENT);
      assertThat(tp).isNotNull();
      assertThat(new String(tp.value(), StandardCharsets.US_ASCII)).startsWith(traceparent.substring(0, 36));

      MimeMessage mime = new MimeMessage(Session.getInstance(new Properties()), new ByteArrayInputStream(dsn.content()));
      assertThat(mime.getContentType()).startsWith("multipart/report").contains("delivery-status");
      assertThat(mime.getHeader("Auto-Submitted", null)).isEqualTo("auto-replied");
      assertThat(mime.getHeader("From", null)).contains("MAILER-DAEMON@bounce.sluice.test");
      MimeMultipart parts = new MimeMultipart(new ByteArrayDataSource(raw(mime), mime.getContentType()));
      assertThat(parts.getCount()).isEqualTo(3);
      DeliveryStatus status = new DeliveryStatus(parts.getBodyPart(1).getInputStream());
      assertThat(status.getMessageDSN().getHeader("Reporting-MTA", null)).isEqualTo("dns; bounce.sluice.test");
      assertThat(status.getRecipientDSNCount()).isEqualTo(2);
      List<String> finals = new ArrayList<>();
      for (int i = 0; i < status.getRecipientDSNCount(); i++) {
        InternetHeaders block = status.getRecipientDSN(i);
        finals.add(block.getHeader("Final-Recipient", null));
        assertThat(block.getHeader("Action", null)).isEqualTo("failed");
        assertThat(block.getHeader("Remote-MTA", null)).isEqualTo("dns; mx.reject.test");
        assertThat(block.getHeader("Last-Attempt-Date", null)).isNotBlank();
        if (block.getHeader("Final-Recipient", null).contains("bob@")) {
          assertThat(block.getHeader("Status", null)).isEqualTo("5.1.1");
          assertThat(block.getHeader("Original-Recipient", null)).isEqualTo("rfc822;Bob@Reject.test");
          assertThat(block.getHeader("Diagnostic-Code", null)).isEqualTo("smtp; 550 5.1.1 no such user");
        } else {
          assertThat(block.getHeader("Status", null)).isEqualTo("5.2.2");
        }
      }
      assertThat(finals).containsExactlyInAnyOrder("rfc822; bob@reject.test", "rfc822; carol@reject.test");
      assertThat(text(parts.getBodyPart(2).getInputStream())).contains("Subject: test " + queueId);

      kafka.awaitCommitted(group, sent, WAIT);
      assertThat(BounceReport.<BounceReport>list("queueId", queueId))
          .singleElement().satisfies(r -> assertThat(r.dsnQueueId).isEqualTo(dsn.queueId()));
      // The DSN is tracked like any other message: null sender, one recipient (the original sender).
      TrackedMessage ownSubmission = TrackedMessage.findById(dsn.queueId());
      assertThat(ownSubmission).isNotNull();
      assertThat(ownSubmission.sender).isEmpty();
      assertThat(RecipientOutcome.<RecipientOutcome>list("queueId", dsn.queueId()))
          .singleElement().satisfies(o -> {
            assertThat(o.recipient).isEqualTo(sender);
            assertThat(o.status).isEqualTo("RECEIVED");
          });
      assertThat(DeliveryEventRow.count("queueId", dsn.queueId())).isEqualTo(1);

      // Replay the whole stream: no new rows, no second DSN.
      List<RecordMetadata> replayed = new ArrayList<>();
      for (DeliveryEvent e : events) {
        replayed.add(kafka.send(e, traceparent));
      }
      kafka.awaitCommitted(group, replayed, WAIT);
      assertThat(DeliveryEventRow.count("queueId", queueId)).isEqualTo(4);
      assertThat(RecipientOutcome.count("queueId", queueId)).isEqualTo(2);
      assertThat(BounceReport.count("queueId", queueId)).isEqualTo(1);
      assertThat(submitted.matching(r -> isDsnTo(r, sender), Duration.ofSeconds(2))).hasSize(1);
    }

    given().auth().oauth2("test-token").get("/api/v1/messages/" + queueId).then()
        .statusCode(200)
        .body("queueId", equalTo(queueId))
        .body("sender", equalTo(sender))
        .body("recipients", hasSize(2))
        .body("recipients.find { it.address == 'bob@reject.test' }.status", equalTo("BOUNCED"))
        .body("recipients.find { it.address == 'bob@reject.test' }.lastReply.code", equalTo(550))
        .body("recipients.find { it.address == 'bob@reject.test' }.history", hasSize(2))
        .body("reports", hasSize(1));
  }

  @Test
  void aBounceOfAMessageWithTheNullSenderGetsNoDsn() throws Exception {
    String queueId = IDS.next();
    MessageSummary summary = summary("", "<" + queueId + "@dsn.example.com>");
    Recipient rcpt = Recipient.of("someone-" + UUID.randomUUID() + "@reject.test");
    try (TestKafka.Watcher submitted = kafka.watch(Topics.SUBMITTED)) {
      RecordMetadata m = kafka.send(
          failed(queueId, rcpt, 1, Instant.now(), new RemoteReply(550, "5.1.1", "no such user"), 1, summary), null);
      kafka.awaitCommitted(group, List.of(m), WAIT);
      assertThat(BounceReport.<BounceReport>list("queueId", queueId)).singleElement().satisfies(r -> {
        assertThat(r.dsnQueueId).isNull();
        assertThat(r.skippedReason).contains("null reverse-path");
      });
      assertThat(RecipientOutcome.<RecipientOutcome>list("queueId", queueId))
          .singleElement().satisfies(o -> assertThat(o.status).isEqualTo("BOUNCED"));
      assertThat(submitted.matching(r -> contentContains(r, queueId), Duration.ofSeconds(2))).isEmpty();
    }
  }

  @Test
  void notifyNeverSuppressesTheDsn() throws Exception {
    String queueId = IDS.next();
    String sender = "sender-" + UUID.randomUUID() + "@example.com";
    MessageSummary summary = summary(sender, null);
    Recipient never = new Recipient("quiet@reject.test", Set.of(Notify.NEVER), null);
    try (TestKafka.Watcher submitted = kafka.watch(Topics.SUBMITTED)) {
      RecordMetadata m = kafka.send(
          failed(queueId, never, 1, Instant.now(), new RemoteReply(550, "5.1.1", "no such user"), 1, summary), null);
      kafka.awaitCommitted(group, List.of(m), WAIT);
      assertThat(BounceReport.<BounceReport>list("queueId", queueId)).singleElement()
          .satisfies(r -> assertThat(r.skippedReason).contains("NOTIFY"));
      assertThat(submitted.matching(r -> isDsnTo(r, sender), Duration.ofSeconds(2))).isEmpty();
    }
  }

  @Test
  void aCorruptRecordGoesToTheDeadTopicAndConsumingGoesOn() throws Exception {
    String key = "corrupt-" + UUID.randomUUID();
    try (TestKafka.Watcher dead = kafka.watch(Topics.DEAD)) {
      kafka.sendRaw(Topics.EVENTS, key.getBytes(StandardCharsets.US_ASCII), "not avro at all".getBytes(StandardCharsets.US_ASCII));
      ConsumerRecord<byte[], byte[]> r = dead.await(
          rec -> rec.key() != null && new String(rec.key(), StandardCharsets.US_ASCII).equals(key), WAIT);
      assertThat(new String(r.value(), StandardCharsets.US_ASCII)).isEqualTo("not avro at all");
      assertThat(new String(r.headers().lastHeader(KafkaHeaders.DEAD_SOURCE_TOPIC).value(), StandardCharsets.UTF_8))
          .isEqualTo(Topics.EVENTS);
      assertThat(r.headers().lastHeader(KafkaHeaders.DEAD_REASON)).isNotNull();
    }
    // The consumer carries on: the next event is stored.
    String queueId = IDS.next();
    RecordMetadata m = kafka.send(DeliveryEvent.received(queueId, Recipient.of("x@ok.test"), Instant.now(),
        summary("a@example.com", null)), null);
    kafka.awaitCommitted(group, List.of(m), WAIT);
    assertThat(RecipientOutcome.count("queueId", queueId)).isEqualTo(1);
    assertThat(consumer.isAlive()).isTrue();
  }

  /**
   * A record that decodes but cannot be stored (here a recipient longer than any mailbox may be,
   * RFC 5321 §4.5.3.1) fails its batch; the batch is retried one event at a time, the bad event goes
   * to sluice.dead and the good one next to it is stored.
   */
  @Test
  void anEventThatCannotBeStoredIsDeadLetteredAndItsNeighboursAreKept() throws Exception {
    String badQueueId = IDS.next();
    String goodQueueId = IDS.next();
    Recipient huge = Recipient.of("x".repeat(600) + "@reject.test");
    try (TestKafka.Watcher dead = kafka.watch(Topics.DEAD)) {
      kafka.send(DeliveryEvent.received(badQueueId, huge, Instant.now(), summary("a@example.com", null)), null);
      RecordMetadata good = kafka.send(DeliveryEvent.received(goodQueueId, Recipient.of("fine@ok.test"), Instant.now(),
          summary("a@example.com", null)), null);
      ConsumerRecord<byte[], byte[]> r = dead.await(
          rec -> rec.key() != null && new String(rec.key(), StandardCharsets.US_ASCII).equals(badQueueId), WAIT);
      assertThat(new String(r.headers().lastHeader(KafkaHeaders.DEAD_REASON).value(), StandardCharsets.UTF_8))
          .contains("cannot be processed");
      assertThat(TestKafka.EVENTS.decode(r.value()).recipient()).isEqualTo(huge);
      kafka.awaitCommitted(group, List.of(good), WAIT);
    }
    assertThat(RecipientOutcome.count("queueId", goodQueueId)).isEqualTo(1);
    assertThat(RecipientOutcome.count("queueId", badQueueId)).isZero();
    assertThat(consumer.isAlive()).isTrue();
  }

  @Test
  void theApiWantsTheBearerToken() {
    String path = "/api/v1/messages/" + IDS.next();
    given().get(path).then().statusCode(401);
    given().auth().oauth2("wrong-token").get(path).then().statusCode(401);
    given().header("Authorization", "Basic dGVzdC10b2tlbg==").get(path).then().statusCode(401);
    given().auth().oauth2("test-token").get(path).then().statusCode(404);
    given().auth().oauth2("test-token").get("/api/v1/messages/not-a-queue-id").then().statusCode(400);
  }

  static MessageSummary summary(String sender, String messageId) {
    String headers = "From: <" + sender + ">\r\nTo: <bob@reject.test>\r\nSubject: test "
        + (messageId == null ? "x" : messageId.substring(1, 27)) + "\r\n"
        + (messageId == null ? "" : "Message-ID: " + messageId + "\r\n") + "\r\n";
    return new MessageSummary(sender, null, Ret.HDRS, messageId, 1234, Instant.now().truncatedTo(ChronoUnit.SECONDS),
        "192.0.2.1", headers.getBytes(StandardCharsets.US_ASCII));
  }

  static DeliveryEvent failed(String queueId, Recipient r, int attempt, Instant at, RemoteReply reply, int failures,
      MessageSummary summary) {
    return new DeliveryEvent(queueId, EventType.BOUNCED, r, attempt, at, "mx.reject.test", reply, failures, summary);
  }

  static boolean isDsnTo(ConsumerRecord<byte[], byte[]> r, String sender) {
    try {
      SubmittedMessage m = SUBMITTED.decode(r.value());
      return m.hasNullSender() && m.recipients().getFirst().address().equals(sender);
    } catch (RuntimeException other) {
      return false; // someone else's record
    }
  }

  private static boolean contentContains(ConsumerRecord<byte[], byte[]> r, String marker) {
    try {
      return new String(SUBMITTED.decode(r.value()).content(), StandardCharsets.UTF_8).contains(marker);
    } catch (RuntimeException other) {
      return false;
    }
  }

  static byte[] raw(MimeMessage m) throws Exception {
    try (InputStream in = m.getRawInputStream()) {
      return in.readAllBytes();
    }
  }

  private static String text(InputStream in) throws Exception {
    try (in) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  private static String hex(int n) {
    return UUID.randomUUID().toString().replace("-", "").repeat(2).substring(0, n);
  }
}
