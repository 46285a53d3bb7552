package io.sluice.schema;

import org.apache.avro.Schema;

/**
 * One record type in Avro's binary encoding, written and read field by field in the order of its
 * schema file. {@code AvroCodecTest} holds every format to what Avro's own generic writer produces
 * from the same schema, byte for byte, so a schema change that a format does not follow fails there.
 */
interface RecordFormat<T> {
  /** Bytes to allocate up front, so that most values are written without growing the buffer. */
  int sizeHint(T value);

  /** @param writer the registered schema version the value is written with (see {@link AvroCodec}) */
  void write(T value, Schema writer, BinaryWriter out);

  /** @param writer the registered schema version whose fingerprint the record names */
  T read(BinaryReader in, Schema writer);
}
