package io.sluice.schema;

import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Kafka serializers and deserializers over {@link AvroCodec}, for {@code value.serializer} and
 * {@code value.deserializer}. A consumer that must route unreadable records to {@link Topics#DEAD}
 * should consume raw bytes and call the codec itself instead, so that one corrupt record cannot fail
 * a whole poll.
 */
public final class AvroSerde {
  private AvroSerde() {}

  /** Serializer for sluice.submitted and the deferred tiers. */
  public static final class SubmittedMessageSerializer extends Writer<SubmittedMessage> {
    public SubmittedMessageSerializer() {
      super(AvroCodec.submittedMessages());
    }
  }

  /** Deserializer for sluice.submitted and the deferred tiers. */
  public static final class SubmittedMessageDeserializer extends Reader<SubmittedMessage> {
    public SubmittedMessageDeserializer() {
      super(AvroCodec.submittedMessages());
    }
  }

  /** Serializer for sluice.events. */
  public static final class DeliveryEventSerializer extends Writer<DeliveryEvent> {
    public DeliveryEventSerializer() {
      super(AvroCodec.deliveryEvents());
    }
  }

  /** Deserializer for sluice.events. */
  public static final class DeliveryEventDeserializer extends Reader<DeliveryEvent> {
    public DeliveryEventDeserializer() {
      super(AvroCodec.deliveryEvents());
    }
  }

  private abstract static class Writer<T> implements Serializer<T> {
    private final AvroCodec<T> codec;

    Writer(AvroCodec<T> codec) {
      this.codec = codec;
    }

    @Override
    public byte[] serialize(String topic, T value) {
      return value == null ? null : codec.encode(value);
    }
  }

  private abstract static class Reader<T> implements Deserializer<T> {
    private final AvroCodec<T> codec;

    Reader(AvroCodec<T> codec) {
      this.codec = codec;
    }

    @Override
    public T deserialize(String topic, byte[] bytes) {
      return bytes == null ? null : codec.decode(bytes);
    }
  }
}
