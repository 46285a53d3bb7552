package io.sluice.schema;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * The sample records behind the round-trip tests and the committed v1 and v2 fixtures. Never change
 * them; a new schema version adds samples of its own.
 */
final class Samples {
  static final Instant RECEIVED_AT = Instant.parse("2026-11-23T12:00:00.123Z");

  static final byte[] CONTENT =
      ("Received: from client.example (client.example [192.0.2.10])\r\n"
              + "\tby mx.sluice.test with ESMTP id 01JDXQ0M8Y6V4H3Z9K2B7C5N1R; Mon, 23 Nov 2026 12:00:00 +0000\r\n"
              + "From: Alice <alice@example.org>\r\nTo: bob@example.net\r\nSubject: =?UTF-8?Q?gr=C3=BC=C3=9Fe?=\r\n"
              + "Message-ID: <m1@example.org>\r\n\r\nHello \u00e9\r\n.leading dot kept unstuffed\r\n")
          .getBytes(StandardCharsets.UTF_8);

  private Samples() {}

  static SubmittedMessage submitted() {
    return new SubmittedMessage(
        "01JDXQ0M8Y6V4H3Z9K2B7C5N1R",
        RECEIVED_AT,
        "192.0.2.10",
        "client.example",
        "alice@example.org",
        "env-42",
        Ret.HDRS,
        true,
        List.of(
            new Recipient("bob@example.net", EnumSet.of(Notify.FAILURE, Notify.DELAY), "rfc822;bob@example.net"),
            Recipient.of("carol@example.com")),
        CONTENT,
        2,
        Instant.parse("2026-11-23T12:05:00Z"),
        List.of(new Attempt(Instant.parse("2026-11-23T12:01:00Z"), "mx1.example.net",
            new RemoteReply(451, "4.7.1", "try again later"))));
  }

  static DeliveryEvent bounced() {
    return new DeliveryEvent(
        "01JDXQ0M8Y6V4H3Z9K2B7C5N1R",
        EventType.BOUNCED,
        new Recipient("bob@example.net", Set.of(Notify.FAILURE), "rfc822;bob@example.net"),
        3,
        Instant.parse("2026-11-23T12:10:00.500Z"),
        "mx1.example.net",
        new RemoteReply(550, "5.1.1", "no such user"),
        2,
        new MessageSummary("alice@example.org", "env-42", Ret.HDRS, "<m1@example.org>", CONTENT.length,
            RECEIVED_AT, "192.0.2.10", "From: Alice <alice@example.org>\r\n\r\n".getBytes(StandardCharsets.US_ASCII)));
  }

  /** Since v2: a RET=FULL bounce whose summary carries the whole message. */
  static DeliveryEvent bouncedWithContent() {
    DeliveryEvent v1 = bounced();
    MessageSummary full = new MessageSummary("alice@example.org", "env-43", Ret.FULL, "<m1@example.org>",
        CONTENT.length, RECEIVED_AT, "192.0.2.10", v1.message().headers(), CONTENT);
    return new DeliveryEvent(v1.queueId(), v1.type(), v1.recipient(), v1.attempt(), v1.occurredAt(), v1.remoteMta(),
        v1.reply(), v1.failuresInAttempt(), full);
  }

  /** Since v2: an entry of sluice.suppressions. */
  static SuppressionEntry suppression() {
    return new SuppressionEntry("bob@example.net", "550 5.1.1 no such user", "BOUNCE", "01JDXQ0M8Y6V4H3Z9K2B7C5N1R",
        Instant.parse("2026-11-30T12:10:00.500Z"), Instant.parse("2026-11-23T12:10:01Z"));
  }
}
