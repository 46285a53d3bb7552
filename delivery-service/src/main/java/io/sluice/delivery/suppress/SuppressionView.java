package io.sluice.delivery.suppress;

import io.sluice.schema.SuppressionEntry;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * This instance's copy of the suppression list, built from the compacted sluice.suppressions: the
 * latest entry per address, a tombstone removes it. Lookups ignore expired entries, so an expiry
 * needs no record of its own. Thread-safe: one follower thread writes, delivery workers read.
 */
public final class SuppressionView {
  /** Only what enforcement needs, to keep a large list small in memory. */
  public record Listed(String source, Instant expiresAt) {
    boolean activeAt(Instant now) {
      return expiresAt == null || expiresAt.isAfter(now);
    }
  }

  private final Map<String, Listed> entries = new ConcurrentHashMap<>();
  private final CountDownLatch loaded = new CountDownLatch(1);

  /** Applies one record of the topic: an entry, or a tombstone ({@code entry} null) for {@code key}. */
  public void apply(String key, SuppressionEntry entry) {
    String address = SuppressionEntry.key(key);
    if (entry == null) {
      entries.remove(address);
    } else {
      entries.put(address, new Listed(entry.source(), entry.expiresAt()));
    }
  }

  /** The entry that blocks mail to {@code address} at {@code now}, if any. */
  public Optional<Listed> blocking(String address, Instant now) {
    Listed listed = entries.get(SuppressionEntry.key(address));
    return listed != null && listed.activeAt(now) ? Optional.of(listed) : Optional.empty();
  }

  /** Addresses held, expired ones included (they go when bounce-service purges them). */
  public int size() {
    return entries.size();
  }

  /** Called once the topic has been read up to the end offsets seen at start. */
  public void markLoaded() {
    loaded.countDown();
  }

  public boolean isLoaded() {
    return loaded.getCount() == 0;
  }

  /** @return whether the view was loaded within {@code timeout} */
  public boolean awaitLoaded(Duration timeout) throws InterruptedException {
    return loaded.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }
}
