package io.sluice.bounce.store;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.sluice.bounce.config.BounceConfig;
import io.sluice.bounce.suppress.SuppressionFeed;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * Deletes tracking data older than {@code sluice.bounce.retention.keep-for}, in small chunks, so the
 * tables of a high-volume relay do not grow without bound. Each chunk is its own transaction; several
 * instances may purge at once (they delete the same rows, harmlessly).
 */
@ApplicationScoped
public class Retention {
  private static final Logger LOG = Logger.getLogger(Retention.class);

  @Inject BounceConfig config;
  @Inject Retention self;
  @Inject SuppressionFeed suppressionFeed;

  private ScheduledExecutorService timer;

  /** How many rows of each kind one purge removed. */
  public record Purged(long events, long outcomes, long messages, long reports, long suppressions) {
    long total() {
      return events + outcomes + messages + reports + suppressions;
    }
  }

  void onStart(@Observes StartupEvent ignored) {
    if (config.retention().keepFor().isZero()) {
      LOG.info("tracking data is kept forever (sluice.bounce.retention.keep-for=0)");
      return;
    }
    long every = config.retention().interval().toMillis();
    timer = Executors.newSingleThreadScheduledExecutor(
        Thread.ofPlatform().name("sluice-bounce-retention").daemon(true).factory());
    timer.scheduleWithFixedDelay(this::purgeSafely, every, every, TimeUnit.MILLISECONDS);
  }

  void onStop(@Observes ShutdownEvent ignored) {
    if (timer != null) {
      timer.shutdownNow();
    }
  }

  private void purgeSafely() {
    try {
      Purged p = purgeOlderThan(Instant.now().minus(config.retention().keepFor()));
      if (p.total() > 0) {
        LOG.infof("retention purge removed %s", p);
      }
    } catch (RuntimeException e) {
      LOG.warnf("retention purge failed (%s); nothing is lost, it runs again in %s", e, config.retention().interval());
    }
  }

  /** Deletes everything last touched before {@code cutoff}. */
  public Purged purgeOlderThan(Instant cutoff) {
    int chunk = config.retention().chunk();
    long events = 0;
    long outcomes = 0;
    long messages = 0;
    long reports = 0;
    long suppressions = 0;
    int n;
    while ((n = self.deleteChunk("DeliveryEventRow", "id", "recordedAt", cutoff, chunk)) > 0) {
      events += n;
    }
    while ((n = self.deleteChunk("RecipientOutcome", "id", "lastEventAt", cutoff, chunk)) > 0) {
      outcomes += n;
    }
    while ((n = self.deleteChunk("TrackedMessage", "queueId", "recordedAt", cutoff, chunk)) > 0) {
      messages += n;
    }
    while ((n = self.deleteChunk("BounceReport", "id", "createdAt", cutoff, chunk)) > 0) {
      reports += n;
    }
    // With tombstones, so that delivery's copy of the list forgets them too.
    while ((n = suppressionFeed.purgeExpired(cutoff, chunk)) > 0) {
      suppressions += n;
    }
    return new Purged(events, outcomes, messages, reports, suppressions);
  }

  /** One chunk in its own transaction. Entity and field names are constants of this class. */
  @Transactional(Transactional.TxType.REQUIRES_NEW)
  int deleteChunk(String entity, String idField, String timeField, Instant cutoff, int chunk) {
    var em = TrackedMessage.getEntityManager();
    List<?> ids = em.createQuery("select e." + idField + " from " + entity + " e where e." + timeField + " < :cutoff")
        .setParameter("cutoff", cutoff).setMaxResults(chunk).getResultList();
    if (ids.isEmpty()) {
      return 0;
    }
    return em.createQuery("delete from " + entity + " e where e." + idField + " in :ids")
        .setParameter("ids", ids).executeUpdate();
  }
}
