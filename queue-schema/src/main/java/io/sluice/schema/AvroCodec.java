package io.sluice.schema;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.function.Function;
import java.util.function.Predicate;
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
 * records (the schema evolution rules of Avro decide how missing fields are filled). A record that
 * the oldest schema can represent is written with it, so that services still on that version read
 * it too: during a rolling upgrade only records that need a newer field are new to them.
 *
 * <p>Instances are thread-safe.
 */
public final class AvroCodec<T> {
  private final BinaryMessageEncoder<GenericRecord> encoder;
  private final BinaryMessageEncoder<GenericRecord> oldestEncoder;
  private final Predicate<T> fitsOldest;
  private final BinaryMessageDecoder<GenericRecord> decoder;
  private final Function<T, GenericRecord> toAvro;
  private final Function<GenericRecord, T> fromAvro;
  private final String typeName;

  /**
   * @param fitsOldest whether a value can be written with the oldest schema of its type; the newer
   *     fields of the current schema must follow the oldest ones, so that they are simply left out
   */
  AvroCodec(
      Function<Schemas.Version, Schema> schemaOf,
      Function<T, GenericRecord> toAvro,
      Function<GenericRecord, T> fromAvro,
      Predicate<T> fitsOldest) {
    Schema current = schemaOf.apply(Schemas.current());
    Schema oldest = Schemas.VERSIONS.stream().map(schemaOf).filter(java.util.Objects::nonNull).findFirst()
        .orElseThrow();
    this.encoder = new BinaryMessageEncoder<>(GenericData.get(), current);
    this.oldestEncoder = new BinaryMessageEncoder<>(GenericData.get(), oldest);
    this.fitsOldest = fitsOldest;
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
        Schemas.Version::submittedMessage, AvroMapping::toAvro, AvroMapping::submittedMessage, m -> true);
  }

  public static AvroCodec<DeliveryEvent> deliveryEvents() {
    return new AvroCodec<>(
        Schemas.Version::deliveryEvent, AvroMapping::toAvro, AvroMapping::deliveryEvent,
        e -> e.message() == null || e.message().content() == null); // v2 added only the content
  }

  /** For the compacted sluice.suppressions; a tombstone (null value) is not a record and not decoded here. */
  public static AvroCodec<SuppressionEntry> suppressionEntries() {
    return new AvroCodec<>(
        Schemas.Version::suppressionEntry, AvroMapping::toAvro, AvroMapping::suppressionEntry, s -> true);
  }

  public byte[] encode(T value) {
    try {
      ByteBuffer buffer = (fitsOldest.test(value) ? oldestEncoder : encoder).encode(toAvro.apply(value));
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
