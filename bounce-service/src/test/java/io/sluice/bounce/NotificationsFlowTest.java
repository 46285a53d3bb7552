package io.sluice.bounce;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.sluice.bounce.consume.EventConsumer;
import io.sluice.bounce.store.BounceReport;
import io.sluice.bounce.store.Suppression;
import io.sluice.schema.AvroCodec;
import io.sluice.schema.DeliveryEvent;
import io.sluice.schema.EventType;
import io.sluice.schema.MessageSummary;
import io.sluice.schema.Notify;
import io.sluice.schema.QueueIds;
import io.sluice.schema.Recipient;
import io.sluice.schema.RemoteReply;
import io.sluice.schema.SubmittedMessage;
import io.sluice.schema.Topics;
import jakarta.inject.Inject;
import jakarta.mail.Session;
import jakarta.mail.internet.InternetHeaders;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import jakarta.mail.util.ByteArrayDataSource;
import java.io.ByteArrayInputStream;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.eclipse.angus.mail.dsn.DeliveryStatus;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** NOTIFY=SUCCESS reports, delay warnings, and suppression after hard bounces, end to end over Kafka. */
@QuarkusTest
@TestProfile(UniqueGroupProfile.class)
class NotificationsFlowTest {
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
    assertThat(consumer.hasAssignment()).isTrue();
  }

  @Test
  void notifySuccessGetsADeliveredReportAndOnlyThoseRecipients() throws Exception {
    String queueId = IDS.next();
    String sender = "sender-" + UUID.randomUUID() + "@example.com";
    MessageSummary summary = BounceFlowTest.summary(sender, "<" + queueId + "@example.com>");
    Recipient asked = new Recipient("asked@ok.test", Set.of(Notify.SUCCESS, Notify.FAILURE), "rfc822;asked@ok.test");
    Recipient silent = Recipient.of("silent@ok.test");
    Instant t = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    RemoteReply ok = new RemoteReply(250, "2.0.0", "queued as 12345");
    try (TestKafka.Watcher submitted = kafka.watch(Topics.SUBMITTED)) {
      List<DeliveryEvent> events = List.of(
          DeliveryEvent.received(queueId, asked, t, summary),
          DeliveryEvent.received(queueId, silent, t, summary),
          new DeliveryEvent(queueId, EventType.DELIVERED, asked, 1, t.plusSeconds(1), "mx.ok.test", ok, 0, null),
          new DeliveryEvent(queueId, EventType.DELIVERED, silent, 1, t.plusSeconds(1), "mx.ok.test", ok, 0, null));
      List<RecordMetadata> sent = new java.util.ArrayList<>();
      for (DeliveryEvent e : events) {
        sent.add(kafka.send(e, null));
      }
      ConsumerRecord<byte[], byte[]> record = submitted.await(r -> BounceFlowTest.isDsnTo(r, sender), WAIT);
      List<InternetHeaders> blocks = recipientBlocks(SUBMITTED.decode(record.value()));
      assertThat(blocks).singleElement().satisfies(b -> {
        assertThat(b.getHeader("Final-Recipient", null)).isEqualTo("rfc822; asked@ok.test");
        assertThat(b.getHeader("Action", null)).isEqualTo("delivered");
        assertThat(b.getHeader("Status", null)).isEqualTo("2.0.0");
      });

      // Replayed: no second success report.
      List<RecordMetadata> again = List.of(kafka.send(events.get(2), null), kafka.send(events.get(3), null));
      kafka.awaitCommitted(group, again, WAIT);
      assertThat(submitted.matching(r -> BounceFlowTest.isDsnTo(r, sender), Duration.ofSeconds(2))).hasSize(1);
      assertThat(BounceReport.count("queueId = ?1 and kind = ?2", queueId, BounceReport.Kind.DELIVERED)).isEqualTo(1);
    }
  }

  /**
   * The message arrived 5 h ago (the warning delay is 4 h) and its recipients were deferred soon
   * after; the next retry is far off, so the periodic scan (every second in tests) sends the warning.
   * A recipient with NOTIFY=FAILURE is left out, and later deferrals warn no more.
   */
  @Test
  void aRecipientDeferredPastTheWarningDelayGetsOneDelayedWarning() throws Exception {
    String queueId = IDS.next();
    String sender = "sender-" + UUID.randomUUID() + "@example.com";
    Instant arrived = Instant.now().minus(Duration.ofHours(5)).truncatedTo(ChronoUnit.SECONDS);
    MessageSummary s = BounceFlowTest.summary(sender, "<" + queueId + "@example.com>");
    MessageSummary summary = new MessageSummary(sender, "ENV-" + queueId, s.ret(), s.messageId(), s.size(), arrived,
        s.clientAddress(), s.headers());
    Recipient slow = Recipient.of("slow@slow.test");
    Recipient failureOnly = new Recipient("quiet@slow.test", Set.of(Notify.FAILURE), null);
    RemoteReply busy = new RemoteReply(451, "4.4.1", "no answer from host");
    try (TestKafka.Watcher submitted = kafka.watch(Topics.SUBMITTED)) {
      kafka.send(DeliveryEvent.received(queueId, slow, arrived, summary), null);
      kafka.send(DeliveryEvent.received(queueId, failureOnly, arrived, summary), null);
      Instant firstTry = arrived.plusSeconds(60);
      kafka.send(new DeliveryEvent(queueId, EventType.DEFERRED, slow, 1, firstTry, "mx.slow.test", busy, 0, null), null);
      kafka.send(new DeliveryEvent(queueId, EventType.DEFERRED, failureOnly, 1, firstTry, "mx.slow.test", busy, 0, null),
          null);

      ConsumerRecord<byte[], byte[]> record = submitted.await(r -> BounceFlowTest.isDsnTo(r, sender), WAIT);
      SubmittedMessage dsn = SUBMITTED.decode(record.value());
      MimeMessage mime = new MimeMessage(Session.getInstance(new Properties()), new ByteArrayInputStream(dsn.content()));
      assertThat(mime.getSubject()).containsIgnoringCase("delayed");
      DeliveryStatus status = deliveryStatus(dsn);
      assertThat(status.getMessageDSN().getHeader("Original-Envelope-Id", null)).isEqualTo("ENV-" + queueId);
      assertThat(status.getRecipientDSNCount()).isEqualTo(1);
      InternetHeaders block = status.getRecipientDSN(0);
      assertThat(block.getHeader("Final-Recipient", null)).isEqualTo("rfc822; slow@slow.test");
      assertThat(block.getHeader("Action", null)).isEqualTo("delayed");
      assertThat(block.getHeader("Status", null)).isEqualTo("4.4.1");
      assertThat(block.getHeader("Diagnostic-Code", null)).isEqualTo("smtp; 451 4.4.1 no answer from host");
      assertThat(block.getHeader("Will-Retry-Until", null)).isNotBlank();

      // A later retry, still deferred and past the delay: no second warning from either path.
      RecordMetadata later = kafka.send(new DeliveryEvent(queueId, EventType.DEFERRED, slow, 2, Instant.now(),
          "mx.slow.test", busy, 0, null), null);
      kafka.awaitCommitted(group, List.of(later), WAIT);
      assertThat(submitted.matching(r -> BounceFlowTest.isDsnTo(r, sender), Duration.ofSeconds(3))).hasSize(1);
      assertThat(BounceReport.<BounceReport>list("queueId = ?1 and kind = ?2", queueId, BounceReport.Kind.DELAYED))
          .extracting(r -> r.recipient + ":" + (r.skippedReason == null ? "sent" : r.skippedReason))
          .containsExactlyInAnyOrder("slow@slow.test:sent", "quiet@slow.test:NOTIFY excludes DELAY");
    }
  }

  /** A recipient that is deferred, but whose message is younger than the delay, gets no warning. */
  @Test
  void noWarningBeforeTheDelay() throws Exception {
    String queueId = IDS.next();
    String sender = "sender-" + UUID.randomUUID() + "@example.com";
    MessageSummary summary = BounceFlowTest.summary(sender, "<" + queueId + "@example.com>");
    Recipient r = Recipient.of("young@slow.test");
    try (TestKafka.Watcher submitted = kafka.watch(Topics.SUBMITTED)) {
      kafka.send(DeliveryEvent.received(queueId, r, summary.receivedAt(), summary), null);
      RecordMetadata m = kafka.send(new DeliveryEvent(queueId, EventType.DEFERRED, r, 1, Instant.now(), "mx.slow.test",
          new RemoteReply(451, "4.4.1", "later"), 0, null), null);
      kafka.awaitCommitted(group, List.of(m), WAIT);
      assertThat(submitted.matching(rec -> BounceFlowTest.isDsnTo(rec, sender), Duration.ofSeconds(3))).isEmpty();
      assertThat(BounceReport.count("queueId", queueId)).isZero();
    }
  }

  @Test
  void aHardBounceSuppressesTheAddressAndAFullMailboxDoesNot() throws Exception {
    String queueId = IDS.next();
    String gone = "gone-" + UUID.randomUUID() + "@reject.test";
    String full = "full-" + UUID.randomUUID() + "@reject.test";
    MessageSummary summary = BounceFlowTest.summary("sender@example.com", null);
    Instant t = Instant.now();
    RecordMetadata a = kafka.send(BounceFlowTest.failed(queueId, Recipient.of(gone.toUpperCase()), 1, t,
        new RemoteReply(550, "5.1.1", "user unknown"), 2, summary), null);
    RecordMetadata b = kafka.send(BounceFlowTest.failed(queueId, Recipient.of(full), 1, t,
        new RemoteReply(552, "5.2.2", "mailbox full"), 2, summary), null);
    kafka.awaitCommitted(group, List.of(a, b), WAIT);

    Suppression entry = Suppression.<Suppression>find("address", gone).firstResult();
    assertThat(entry).isNotNull();
    assertThat(entry.source).isEqualTo(Suppression.Source.BOUNCE);
    assertThat(entry.sourceQueueId).isEqualTo(queueId);
    assertThat(entry.expiresAt).isAfter(Instant.now().plus(Duration.ofDays(29)));
    assertThat(Suppression.count("address", full)).isZero();
    given().auth().oauth2("test-token").get("/api/v1/suppressions/" + gone).then()
        .statusCode(200).body("address", equalTo(gone)).body("source", equalTo("BOUNCE"));
  }

  /**
   * Loop prevention end to end: the DSN this service publishes carries the null reverse-path, so
   * when that DSN itself bounces (its events carry reversePath ""), no DSN about the DSN is written.
   */
  @Test
  void aBouncingDsnNeverCausesAnotherDsn() throws Exception {
    String queueId = IDS.next();
    String sender = "sender-" + UUID.randomUUID() + "@unreachable.test";
    MessageSummary summary = BounceFlowTest.summary(sender, "<" + queueId + "@example.com>");
    Recipient rcpt = Recipient.of("nobody@reject.test");
    try (TestKafka.Watcher submitted = kafka.watch(Topics.SUBMITTED)) {
      kafka.send(BounceFlowTest.failed(queueId, rcpt, 1, Instant.now(), new RemoteReply(550, "5.1.1", "no"), 1, summary),
          null);
      SubmittedMessage dsn = SUBMITTED.decode(submitted.await(r -> BounceFlowTest.isDsnTo(r, sender), WAIT).value());
      assertThat(dsn.reversePath()).isEmpty();

      // Delivery fails to deliver the DSN to the (unreachable) sender and reports it.
      MessageSummary dsnSummary = new MessageSummary(dsn.reversePath(), null, null, null, dsn.content().length,
          dsn.receivedAt(), dsn.clientAddress(), headerSection(dsn.content()));
      RecordMetadata m = kafka.send(new DeliveryEvent(dsn.queueId(), EventType.BOUNCED, dsn.recipients().getFirst(), 1,
          Instant.now(), "mx.unreachable.test", new RemoteReply(550, "5.1.1", "no such user"), 1, dsnSummary), null);
      kafka.awaitCommitted(group, List.of(m), WAIT);

      assertThat(BounceReport.<BounceReport>list("queueId", dsn.queueId())).singleElement().satisfies(r -> {
        assertThat(r.dsnQueueId).isNull();
        assertThat(r.skippedReason).contains("null reverse-path");
      });
      // Nothing else on sluice.submitted mentions the DSN (its own record carries its Message-ID).
      assertThat(submitted.matching(r -> r.key() != null && !dsn.queueId().equals(new String(r.key(), java.nio.charset.StandardCharsets.US_ASCII))
          && contentMentions(r, dsn.queueId()), Duration.ofSeconds(2))).isEmpty();
      // The DSN is tracked like any other message: received, then bounced.
      given().auth().oauth2("test-token").get("/api/v1/messages/" + dsn.queueId()).then()
          .statusCode(200).body("sender", equalTo("")).body("recipients[0].status", equalTo("BOUNCED"));
    }
  }

  private static boolean contentMentions(ConsumerRecord<byte[], byte[]> r, String marker) {
    try {
      return new String(SUBMITTED.decode(r.value()).content(), java.nio.charset.StandardCharsets.UTF_8).contains(marker);
    } catch (RuntimeException other) {
      return false;
    }
  }

  private static byte[] headerSection(byte[] message) {
    String text = new String(message, java.nio.charset.StandardCharsets.ISO_8859_1);
    int end = text.indexOf("\r\n\r\n");
    return text.substring(0, end + 4).getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
  }

  static DeliveryStatus deliveryStatus(SubmittedMessage dsn) throws Exception {
    MimeMessage mime = new MimeMessage(Session.getInstance(new Properties()), new ByteArrayInputStream(dsn.content()));
    MimeMultipart parts = new MimeMultipart(new ByteArrayDataSource(BounceFlowTest.raw(mime), mime.getContentType()));
    return new DeliveryStatus(parts.getBodyPart(1).getInputStream());
  }

  static List<InternetHeaders> recipientBlocks(SubmittedMessage dsn) throws Exception {
    DeliveryStatus status = deliveryStatus(dsn);
    List<InternetHeaders> out = new java.util.ArrayList<>();
    for (int i = 0; i < status.getRecipientDSNCount(); i++) {
      out.add(status.getRecipientDSN(i));
    }
    return out;
  }
}
