package io.sluice.schema;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.Predicate;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;

/**
 * Turns a record type into bytes and back with Avro's single-object encoding: two marker bytes, the
 * 8-byte fingerprint of the writer's schema, then the Avro binary body. The fingerprint tells the
 * reader which schema version wrote the record, so a reader on version N still reads version 1
 * records. A record that the oldest schema can represent is written with it, so that services still
 * on that version read it too: during a rolling upgrade only records that need a newer field are new
 * to them.
 *
 * <p>The bodies are written and read by hand-written {@link RecordFormat}s rather than through Avro's
 * generic records: every message passes through here up to three times in delivery (read, written to
 * a tier, summarised in an event), and the generic path (a map lookup per field by name, the content
 * copied twice more) was about half of the delivery consumer thread's samples in a JFR recording of
 * the isolation benchmark's mixed phase. The schema files stay the contract: the fingerprints come
 * from them, and the tests hold each format to Avro's own encoding. A new schema version therefore
 * needs its layout added to the format, and a fixture.
 *
 * <p>Instances are thread-safe.
 */
public final class AvroCodec<T> {
  private final RecordFormat<T> format;
  private final Predicate<T> fitsOldest;
  private final Schema current;
  private final Schema oldest;
  private final long currentFingerprint;
  private final long oldestFingerprint;
  /** Every registered version's schema and fingerprint, oldest first; versions may share one. */
  private final List<Schema> readable = new ArrayList<>();
  private final long[] readableFingerprints;
  private final String typeName;

  /**
   * @param fitsOldest whether a value can be written with the oldest schema of its type; the newer
   *     fields of the current schema must follow the oldest ones, so that they are simply left out
   */
  AvroCodec(Function<Schemas.Version, Schema> schemaOf, RecordFormat<T> format, Predicate<T> fitsOldest) {
    this.format = format;
    this.fitsOldest = fitsOldest;
    for (Schemas.Version version : Schemas.VERSIONS) {
      Schema schema = schemaOf.apply(version);
      if (schema != null) { // null: the type did not exist yet in that version
        readable.add(schema);
      }
    }
    this.readableFingerprints = readable.stream().mapToLong(SchemaNormalization::parsingFingerprint64).toArray();
    this.oldest = readable.getFirst();
    this.current = readable.getLast();
    this.oldestFingerprint = readableFingerprints[0];
    this.currentFingerprint = readableFingerprints[readableFingerprints.length - 1];
    this.typeName = current.getName();
  }

  public static AvroCodec<SubmittedMessage> submittedMessages() {
    return new AvroCodec<>(Schemas.Version::submittedMessage, new SubmittedMessageFormat(), m -> true);
  }

  public static AvroCodec<DeliveryEvent> deliveryEvents() {
    return new AvroCodec<>(Schemas.Version::deliveryEvent, new DeliveryEventFormat(),
        e -> e.message() == null || e.message().content() == null); // v2 added only the content
  }

  /** For the compacted sluice.suppressions; a tombstone (null value) is not a record and not decoded here. */
  public static AvroCodec<SuppressionEntry> suppressionEntries() {
    return new AvroCodec<>(Schemas.Version::suppressionEntry, new SuppressionEntryFormat(), s -> true);
  }

  public byte[] encode(T value) {
    Objects.requireNonNull(value, "value");
    boolean old = fitsOldest.test(value);
    BinaryWriter out = new BinaryWriter(10 + format.sizeHint(value));
    out.header(old ? oldestFingerprint : currentFingerprint);
    format.write(value, old ? oldest : current, out);
    return out.toByteArray();
  }

  /**
   * @throws UnreadableRecordException when the bytes are not a readable record of this type
   */
  public T decode(byte[] bytes) {
    if (bytes == null) {
      throw new UnreadableRecordException(typeName + ": record has no value (tombstone)", null);
    }
    try {
      BinaryReader in = new BinaryReader(bytes);
      Schema writer = writerSchema(in.header());
      T value = format.read(in, writer);
      in.expectEnd();
      return value;
    } catch (BinaryReader.MalformedRecordException | IllegalArgumentException | NullPointerException e) {
      // The last two: values the records' constructors refuse (no recipient, a reply code of 0, ...).
      throw new UnreadableRecordException(
          typeName + ": cannot read " + bytes.length + "-byte record: " + e.getMessage(), e);
    }
  }

  private Schema writerSchema(long fingerprint) {
    for (int i = 0; i < readableFingerprints.length; i++) {
      if (readableFingerprints[i] == fingerprint) {
        return readable.get(i); // the oldest version with this fingerprint: versions may share a layout
      }
    }
    throw new BinaryReader.MalformedRecordException(
        String.format("written with a schema this version does not know (fingerprint %016x)", fingerprint));
  }
}
