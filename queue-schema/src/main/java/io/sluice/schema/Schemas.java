package io.sluice.schema;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import org.apache.avro.Schema;

/**
 * The Avro schemas of the records on Kafka. The files live in {@code io/sluice/schema/v<N>/}; the
 * newest version is what writers use, and every older version stays registered so that readers can
 * resolve records written by older services (see {@link AvroCodec}).
 */
public final class Schemas {
  /**
   * Every schema version this library can read, oldest first. The last one is current. v2 added
   * the optional {@code content} of an event's message summary (RET=FULL) and SuppressionEntry.
   */
  static final List<Version> VERSIONS = List.of(load("v1"), load("v2"));

  public static final Schema SUBMITTED_MESSAGE = current().submittedMessage();
  public static final Schema DELIVERY_EVENT = current().deliveryEvent();
  public static final Schema SUPPRESSION_ENTRY = current().suppressionEntry();

  private Schemas() {}

  /** @param suppressionEntry null in versions before it existed */
  record Version(String name, Schema submittedMessage, Schema deliveryEvent, Schema suppressionEntry) {}

  static Version current() {
    return VERSIONS.getLast();
  }

  private static Version load(String version) {
    // One parser per version: DeliveryEvent refers to named types defined in SubmittedMessage.
    Schema.Parser parser = new Schema.Parser();
    Schema submitted = parse(parser, version, "SubmittedMessage.avsc");
    Schema event = parse(parser, version, "DeliveryEvent.avsc");
    Schema suppression = Schemas.class.getResource(version + "/SuppressionEntry.avsc") == null ? null
        : parse(parser, version, "SuppressionEntry.avsc");
    return new Version(version, submitted, event, suppression);
  }

  private static Schema parse(Schema.Parser parser, String version, String file) {
    String path = version + "/" + file;
    try (InputStream in = Schemas.class.getResourceAsStream(path)) {
      if (in == null) {
        throw new IllegalStateException("schema file missing from queue-schema jar: " + path);
      }
      return parser.parse(in);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read schema " + path, e);
    }
  }
}
