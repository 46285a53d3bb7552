package io.sluice.bounce.suppress;

import io.quarkus.runtime.StartupEvent;
import io.sluice.bounce.kafka.RecordProducer;
import io.sluice.bounce.store.Suppression;
import io.sluice.schema.AvroCodec;
import io.sluice.schema.SuppressionEntry;
import io.sluice.schema.Topics;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.persistence.LockModeType;
import jakarta.transaction.Transactional;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.Future;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.jboss.logging.Logger;

/**
 * Publishes every change of the suppression list to the compacted sluice.suppressions, keyed by
 * the lower-cased address, where each delivery instance reads it (delivery enforces the list). The
 * table stays the source of truth: a change is published inside the transaction that makes it, and
 * the transaction commits only once the broker has the record, so the topic never misses a change
 * that was committed. A removal (API delete, purge of a long-expired entry) is a tombstone; an
 * entry that merely expires needs no record, since delivery ignores expired entries.
 */
@ApplicationScoped
public class SuppressionFeed {
  private static final Logger LOG = Logger.getLogger(SuppressionFeed.class);
  private static final int REPUBLISH_CHUNK = 1000;

  private final AvroCodec<SuppressionEntry> codec = AvroCodec.suppressionEntries();

  @Inject RecordProducer producer;
  @Inject SuppressionConfig config;
  @Inject SuppressionFeed self;

  /** Publishes the current state of each entry and waits until the broker has them all. */
  public void publish(Collection<Suppression> entries) {
    producer.awaitAll(send(entries));
  }

  /**
   * Publishes the current state of each entry without waiting, so a poll batch awaits these acks
   * together with its DSNs' ({@link RecordProducer#awaitAll}) before it commits.
   */
  public List<Future<RecordMetadata>> send(Collection<Suppression> entries) {
    return entries.stream().map(this::send).toList();
  }

  /** Publishes tombstones for {@code addresses} and waits until the broker has them all. */
  public void remove(Collection<String> addresses) {
    producer.awaitAll(addresses.stream().map(a -> producer.send(record(a, null))).toList());
  }

  private Future<RecordMetadata> send(Suppression s) {
    SuppressionEntry entry = new SuppressionEntry(s.address, s.reason, s.source.name(), s.sourceQueueId, s.expiresAt,
        Instant.now());
    return producer.send(record(s.address, codec.encode(entry)));
  }

  private static ProducerRecord<byte[], byte[]> record(String address, byte[] value) {
    return new ProducerRecord<>(Topics.SUPPRESSIONS, SuppressionEntry.key(address).getBytes(StandardCharsets.UTF_8),
        value);
  }

  /**
   * Removes entries that expired before {@code cutoff}, at most {@code chunk} of them, with their
   * tombstones, in a transaction of its own. @return how many were removed
   */
  @Transactional(Transactional.TxType.REQUIRES_NEW)
  public int purgeExpired(Instant cutoff, int chunk) {
    List<Suppression> expired = Suppression.<Suppression>find("expiresAt < ?1", cutoff).page(0, chunk).list();
    if (expired.isEmpty()) {
      return 0;
    }
    expired.forEach(Suppression::delete);
    Suppression.flush();
    remove(expired.stream().map(s -> s.address).toList());
    return expired.size();
  }

  /**
   * Publishes the whole table again at start, so that entries from before the topic existed (or
   * a recreated topic) reach delivery. Runs in the background; each chunk holds read locks on its
   * rows until the broker has them, so a concurrent change is published after, never before, the
   * copy it would otherwise overtake.
   */
  void onStart(@Observes StartupEvent ignored) {
    if (!config.republishOnStart()) {
      return;
    }
    Thread.ofPlatform().name("sluice-suppression-republish").daemon(true).start(() -> {
      try {
        long afterId = -1;
        long total = 0;
        int n;
        do {
          List<Long> ids = self.republishChunk(afterId, REPUBLISH_CHUNK);
          n = ids.size();
          total += n;
          afterId = n == 0 ? afterId : ids.getLast();
        } while (n == REPUBLISH_CHUNK);
        LOG.infof("republished %d suppression entries to %s", total, Topics.SUPPRESSIONS);
      } catch (RuntimeException e) {
        LOG.errorf(e, "republishing the suppression list to %s failed; changes made through the API and hard "
            + "bounces are still published, and the next start tries again", Topics.SUPPRESSIONS);
      }
    });
  }

  /** @return the ids published, in order */
  @Transactional
  List<Long> republishChunk(long afterId, int chunk) {
    List<Suppression> rows = Suppression.<Suppression>find("id > ?1 order by id", afterId)
        .withLock(LockModeType.PESSIMISTIC_READ).page(0, chunk).list();
    publish(rows);
    return rows.stream().map(s -> s.id).toList();
  }
}
