package io.sluice.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class AvroCodecTest {
  private final AvroCodec<SubmittedMessage> messages = AvroCodec.submittedMessages();
  private final AvroCodec<DeliveryEvent> events = AvroCodec.deliveryEvents();

  @Test
  void submittedMessageRoundTripsEveryField() {
    SubmittedMessage original = Samples.submitted();
    SubmittedMessage read = messages.decode(messages.encode(original));
    assertThat(read).isEqualTo(original);
    assertThat(read.content()).isEqualTo(Samples.CONTENT);
    assertThat(read.recipients().getFirst().notifyOn()).containsExactlyInAnyOrder(Notify.FAILURE, Notify.DELAY);
    assertThat(read.history().getFirst().reply().enhancedStatus()).isEqualTo("4.7.1");
  }

  @Test
  void nullSenderAndAbsentOptionalsRoundTrip() {
    SubmittedMessage dsn = SubmittedMessage.accepted("01JDXQ0M8Y6V4H3Z9K2B7C5N1S", Instant.ofEpochMilli(1),
        "127.0.0.1", "localhost", SubmittedMessage.NULL_SENDER, null, null, false,
        List.of(Recipient.of("alice@example.org")), new byte[0]);
    SubmittedMessage read = messages.decode(messages.encode(dsn));
    assertThat(read).isEqualTo(dsn);
    assertThat(read.hasNullSender()).isTrue();
    assertThat(read.notBefore()).isNull();
    assertThat(read.recipients().getFirst().notifyOn()).isEmpty();
  }

  @Test
  void messageBodyIsStoredAsRawBytesNotText() {
    byte[] encoded = messages.encode(Samples.submitted());
    // The body appears verbatim inside the record: no base64, no JSON escaping.
    assertThat(indexOf(encoded, Samples.CONTENT)).isPositive();
  }

  @Test
  void deliveryEventRoundTripsEveryField() {
    DeliveryEvent original = Samples.bounced();
    assertThat(events.decode(events.encode(original))).isEqualTo(original);
  }

  @Test
  void eventWithTheWholeMessageRoundTrips() {
    DeliveryEvent original = Samples.bouncedWithContent();
    byte[] encoded = events.encode(original);
    assertThat(events.decode(encoded)).isEqualTo(original);
    assertThat(indexOf(encoded, Samples.CONTENT)).isPositive();
  }

  @Test
  void suppressionEntryRoundTrips() {
    AvroCodec<SuppressionEntry> entries = AvroCodec.suppressionEntries();
    SuppressionEntry permanent = new SuppressionEntry("x@example.com", "added through the API", "API", null, null,
        Instant.ofEpochMilli(7));
    assertThat(entries.decode(entries.encode(Samples.suppression()))).isEqualTo(Samples.suppression());
    assertThat(entries.decode(entries.encode(permanent))).isEqualTo(permanent);
    assertThat(permanent.activeAt(Instant.MAX)).isTrue();
    assertThat(Samples.suppression().activeAt(Instant.parse("2026-11-30T12:10:00.500Z"))).isFalse();
    assertThat(SuppressionEntry.key(" Bob@Example.NET ")).isEqualTo("bob@example.net");
  }

  @Test
  void receivedEventHasNoReply() {
    DeliveryEvent received = DeliveryEvent.received("01JDXQ0M8Y6V4H3Z9K2B7C5N1R", Recipient.of("x@example.com"),
        Instant.ofEpochMilli(5), Samples.bounced().message());
    DeliveryEvent read = events.decode(events.encode(received));
    assertThat(read).isEqualTo(received);
    assertThat(read.reply()).isNull();
  }

  @Test
  void corruptBytesAreReportedAsUnreadable() {
    byte[] encoded = messages.encode(Samples.submitted());
    byte[] truncated = Arrays.copyOf(encoded, encoded.length / 2);
    assertThatThrownBy(() -> messages.decode(truncated)).isInstanceOf(UnreadableRecordException.class);
    assertThatThrownBy(() -> messages.decode("not avro at all".getBytes()))
        .isInstanceOf(UnreadableRecordException.class);
    assertThatThrownBy(() -> messages.decode(null)).isInstanceOf(UnreadableRecordException.class);
  }

  @Test
  void anEventIsNotReadAsAMessage() {
    byte[] event = events.encode(Samples.bounced());
    assertThatThrownBy(() -> messages.decode(event))
        .isInstanceOf(UnreadableRecordException.class)
        .hasMessageContaining("SubmittedMessage");
  }

  private static int indexOf(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i <= haystack.length - needle.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }
}
