package io.sluice.schema;

import java.time.Instant;
import java.util.Locale;
import java.util.Objects;

/**
 * One address on the suppression list, as bounce-service publishes it on {@link
 * Topics#SUPPRESSIONS} (key: {@link #key(String)} of the address; a tombstone removes it).
 *
 * @param address lower-cased mailbox
 * @param source who listed it: {@code BOUNCE} or {@code API}
 * @param sourceQueueId the message whose hard bounce listed it, or null
 * @param expiresAt not enforced from this instant on; null: until removed
 * @param updatedAt when this version of the entry was written
 */
public record SuppressionEntry(
    String address, String reason, String source, String sourceQueueId, Instant expiresAt, Instant updatedAt) {

  public SuppressionEntry {
    Objects.requireNonNull(address, "address");
    Objects.requireNonNull(reason, "reason");
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(updatedAt, "updatedAt");
  }

  /**
   * The record key and lookup form of an address: stripped and lower-cased. Local parts are case
   * sensitive in theory (RFC 5321 §2.4), but no real mailbox provider treats them so, and one key per
   * mailbox is what makes compaction keep only its latest state.
   */
  public static String key(String address) {
    return address.strip().toLowerCase(Locale.ROOT);
  }

  /** Whether the entry still blocks mail at {@code now}. */
  public boolean activeAt(Instant now) {
    return expiresAt == null || expiresAt.isAfter(now);
  }
}
