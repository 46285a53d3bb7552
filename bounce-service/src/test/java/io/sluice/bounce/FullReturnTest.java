package io.sluice.bounce;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.sluice.bounce.consume.EventConsumer;
import io.sluice.schema.AvroCodec;
import io.sluice.schema.MessageSummary;
import io.sluice.schema.QueueIds;
import io.sluice.schema.Recipient;
import io.sluice.schema.RemoteReply;
import io.sluice.schema.Ret;
import io.sluice.schema.SubmittedMessage;
import io.sluice.schema.Topics;
import jakarta.inject.Inject;
import jakarta.mail.BodyPart;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import jakarta.mail.util.ByteArrayDataSource;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * RET=FULL (RFC 3461 §4.3): the last failure event of the attempt carries the whole message, and
 * the DSN returns it byte for byte as message/rfc822; without it the DSN returns the headers only.
 */
@QuarkusTest
@TestProfile(UniqueGroupProfile.class)
class FullReturnTest {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final AvroCodec<SubmittedMessage> SUBMITTED = AvroCodec.submittedMessages();
  private static final QueueIds IDS = new QueueIds();
  private TestKafka kafka;

  @Inject EventConsumer consumer;

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
  void retFullReturnsTheWholeMessageFromTheAttemptsLastFailureEventAsMessageRfc822() throws Exception {
    String queueId = IDS.next();
    String sender = "full-" + UUID.randomUUID() + "@example.com";
    MessageSummary headersOnly = BounceFlowTest.summary(sender, "<" + queueId + "@example.com>");
    byte[] content = (new String(headersOnly.headers(), StandardCharsets.US_ASCII)
        + "The body, returned because the sender asked for RET=FULL.\r\n\u00e9t\u00e9 8-bit too.\r\n")
        .getBytes(StandardCharsets.UTF_8);
    MessageSummary full = new MessageSummary(sender, "env-full", Ret.FULL, headersOnly.messageId(), content.length,
        headersOnly.receivedAt(), "192.0.2.1", headersOnly.headers(), content);

    // As delivery writes them: the body only on the last failure event of the attempt.
    BodyPart returned = dsnPartThree(queueId, sender, full.withContent(null), full);

    assertThat(returned.getContentType()).startsWith("message/rfc822");
    assertThat(raw(returned)).isEqualTo(content);
  }

  @Test
  void retHdrsReturnsTheHeadersOnly() throws Exception {
    String queueId = IDS.next();
    String sender = "hdrs-" + UUID.randomUUID() + "@example.com";
    MessageSummary summary = BounceFlowTest.summary(sender, "<" + queueId + "@example.com>");

    BodyPart returned = dsnPartThree(queueId, sender, summary, summary);

    assertThat(returned.getContentType()).startsWith("text/rfc822-headers");
    assertThat(new String(raw(returned), StandardCharsets.US_ASCII)).contains("Subject: test " + queueId)
        .doesNotContain("body");
  }

  /** Two recipients fail in attempt 1, their events carry {@code first} and {@code last}. */
  private BodyPart dsnPartThree(String queueId, String sender, MessageSummary first, MessageSummary last)
      throws Exception {
    try (TestKafka.Watcher submitted = kafka.watch(Topics.SUBMITTED)) {
      RemoteReply reply = new RemoteReply(550, "5.1.1", "no such user");
      kafka.send(BounceFlowTest.failed(queueId, Recipient.of("gone@reject.test"), 1, Instant.now(), reply, 2, first),
          null);
      kafka.send(BounceFlowTest.failed(queueId, Recipient.of("lost@reject.test"), 1, Instant.now(), reply, 2, last),
          null);
      ConsumerRecord<byte[], byte[]> record = submitted.await(r -> BounceFlowTest.isDsnTo(r, sender), WAIT);
      SubmittedMessage dsn = SUBMITTED.decode(record.value());
      MimeMessage mime = new MimeMessage(Session.getInstance(new Properties()), new ByteArrayInputStream(dsn.content()));
      MimeMultipart parts = new MimeMultipart(new ByteArrayDataSource(BounceFlowTest.raw(mime), mime.getContentType()));
      assertThat(parts.getCount()).isEqualTo(3);
      return parts.getBodyPart(2);
    }
  }

  private static byte[] raw(BodyPart part) throws Exception {
    try (InputStream in = ((MimeBodyPart) part).getRawInputStream()) {
      return in.readAllBytes();
    }
  }
}
