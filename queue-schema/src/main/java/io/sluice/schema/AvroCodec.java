package io.sluice.schema;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.function.Function;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.message.BinaryMessageEncoder;

/**
 * Turns a record type into bytes and back with Avro's single-object encoding: two marker bytes, the
 * 8-byte fingerprint of the writer's schema, then the Avro binary body. The fingerprint tells the
 * reader which schema version wrote the record, so a reader on version N still reads version 1
 * records (the schema evolution rules of Avro decide how missing fields are filled).
 *
 * <p>Instances are thread-safe.
 */
public final class AvroCodec<T> {
  private final BinaryMessageEncoder<GenericRecord> encoder;
  private final BinaryMessageDecoder<GenericRecord> decoder;
  private final Function<T, GenericRecord> toAvro;
  private final Function<GenericRecord, T> fromAvro;
  private final String typeName;

  AvroCodec(
      Function<Schemas.Version, Schema> schemaOf,
      Function<T, GenericRecord> toAvro,
      Function<GenericRecord, T> fromAvro) {
    Schema current = schemaOf.apply(Schemas.current());
    this.encoder = new BinaryMessageEncoder<>(GenericData.get(), current);
    this.decoder = new BinaryMessageDecoder<>(GenericData.get(), current);
    for (Schemas.Version version : Schemas.VERSIONS) {
      Schema older = schemaOf.apply(version);
      if (older != null) { // null: the type did not exist yet in that version
        decoder.addSchema(older);
      }
    }
    this.toAvro = toAvro;
    this.fromAvro = fromAvro;
    this.typeName = current.getName();
  }

  public static AvroCodec<SubmittedMessage> submittedMessages() {
    return new AvroCodec<>(
        Schemas.Version::submittedMessage, AvroMapping::toAvro, AvroMapping::submittedMessage);
  }

  public static AvroCodec<DeliveryEvent> deliveryEvents() {
    return new AvroCodec<>(
        Schemas.Version::deliveryEvent, AvroMapping::toAvro, AvroMapping::deliveryEvent);
  }

  /** For the compacted sluice.suppressions; a tombstone (null value) is not a record and not decoded here. */
  public static AvroCodec<SuppressionEntry> suppressionEntries() {
    return new AvroCodec<>(
        Schemas.Version::suppressionEntry, AvroMapping::toAvro, AvroMapping::suppressionEntry);
  }

  public byte[] encode(T value) {
    try {
      ByteBuffer buffer = encoder.encode(toAvro.apply(value));
      byte[] bytes = new byte[buffer.remaining()];
      buffer.get(bytes);
      return bytes;
    } catch (IOException e) {
      throw new IllegalStateException("cannot encode " + typeName, e);
    }
  }

  /**
   * @throws UnreadableRecordException when the bytes are not a readable record of this type
   */
  public T decode(byte[] bytes) {
    if (bytes == null) {
      throw new UnreadableRecordException(typeName + ": record has no value (tombstone)", null);
    }
    try {
      return fromAvro.apply(decoder.decode(bytes));
    } catch (IOException | AvroRuntimeException | IllegalArgumentException | NullPointerException
        | ClassCastException | IndexOutOfBoundsException e) {
      throw new UnreadableRecordException(
          typeName + ": cannot read " + bytes.length + "-byte record: " + e.getMessage(), e);
    }
  }
}
