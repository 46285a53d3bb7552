package io.sluice.bounce.consume;

import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.consumer.OffsetCommitCallback;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.jboss.logging.Logger;

/**
 * Offset commits of batches that are already durable in PostgreSQL (their DSNs and suppression
 * changes acknowledged by the broker too). They are sent without waiting for the broker, so the
 * next poll does not wait for the group coordinator's round trip (several milliseconds per batch).
 *
 * <p>Why a lost commit is harmless: the store is idempotent (see {@code EventStore}), so events
 * whose commit did not reach the broker are read again and change nothing, and send no second DSN.
 * A failed commit is not retried: the next batch's commit covers the same partitions. Where another
 * reader takes over (revocation, shutdown), the last persisted offsets are committed synchronously,
 * so that the handover itself does not replay.
 *
 * <p>Used only on the consumer thread (KafkaConsumer is not thread-safe).
 */
final class PersistedOffsets {
  private static final Logger LOG = Logger.getLogger(PersistedOffsets.class);

  /** The next offset to read, per partition, of everything persisted since the consumer was created. */
  private final Map<TopicPartition, OffsetAndMetadata> persisted = new HashMap<>();

  private final OffsetCommitCallback onCompletion = (committed, e) -> {
    if (e != null) {
      LOG.debugf("asynchronous offset commit failed (%s); a later commit covers it, and replayed events change nothing",
          e.toString());
    }
  };

  /** Commits the offsets of a persisted batch, without waiting. */
  void commit(KafkaConsumer<byte[], byte[]> consumer, Map<TopicPartition, OffsetAndMetadata> offsets) {
    persisted.putAll(offsets);
    consumer.commitAsync(offsets, onCompletion);
  }

  /** Before partitions go to another member: their last persisted offsets, waiting for the broker. */
  void commitRevoked(KafkaConsumer<byte[], byte[]> consumer, Collection<TopicPartition> revoked, Duration timeout) {
    Map<TopicPartition, OffsetAndMetadata> handover = new HashMap<>();
    for (TopicPartition tp : revoked) {
      OffsetAndMetadata o = persisted.remove(tp);
      if (o != null) {
        handover.put(tp, o);
      }
    }
    commitSync(consumer, handover, timeout);
  }

  /** At a graceful stop: everything persisted, waiting for the broker. */
  void commitAll(KafkaConsumer<byte[], byte[]> consumer, Duration timeout) {
    commitSync(consumer, Map.copyOf(persisted), timeout);
    persisted.clear();
  }

  /** A new consumer starts from what the group has committed; nothing of the old one's is kept. */
  void clear() {
    persisted.clear();
  }

  private static void commitSync(KafkaConsumer<byte[], byte[]> consumer, Map<TopicPartition, OffsetAndMetadata> offsets,
      Duration timeout) {
    if (offsets.isEmpty()) {
      return;
    }
    try {
      consumer.commitSync(offsets, timeout);
    } catch (WakeupException e) {
      throw e;
    } catch (RuntimeException e) {
      LOG.warnf("could not commit the offsets of persisted events on %s (%s); they will be read again, which changes "
          + "nothing", offsets.keySet(), e.toString());
    }
  }
}
