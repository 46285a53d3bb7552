package io.sluice.schema;

import java.time.Instant;
import org.apache.avro.Schema;

/** SuppressionEntry.avsc (since version 2). */
final class SuppressionEntryFormat implements RecordFormat<SuppressionEntry> {
  @Override
  public int sizeHint(SuppressionEntry s) {
    return 128 + s.reason().length();
  }

  @Override
  public void write(SuppressionEntry s, Schema writer, BinaryWriter out) {
    out.writeString(s.address());
    out.writeString(s.reason());
    out.writeString(s.source());
    out.writeNullableString(s.sourceQueueId());
    out.writeNullableLong(s.expiresAt() == null ? null : s.expiresAt().toEpochMilli());
    out.writeLong(s.updatedAt().toEpochMilli());
  }

  @Override
  public SuppressionEntry read(BinaryReader in, Schema writer) {
    String address = in.readString();
    String reason = in.readString();
    String source = in.readString();
    String sourceQueueId = in.readNullableString();
    Long expiresAt = in.readNullableLong();
    Instant updatedAt = Instant.ofEpochMilli(in.readLong());
    return new SuppressionEntry(address, reason, source, sourceQueueId,
        expiresAt == null ? null : Instant.ofEpochMilli(expiresAt), updatedAt);
  }
}
