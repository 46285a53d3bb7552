package io.sluice.bounce.dsn;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.sluice.bounce.config.BounceConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * Runs {@link DelayWarnings#scan} every {@code sluice.bounce.dsn.delay-scan-interval}, so a warning
 * does not wait for the next retry (with delivery's tiers that can be hours after the delay). Several
 * instances may scan at once: the unique bounce_report rows let one of them win; the other's
 * transaction fails and is logged at debug level.
 */
@ApplicationScoped
public class DelayScanner {
  private static final Logger LOG = Logger.getLogger(DelayScanner.class);
  private static final int BATCH = 200;

  @Inject BounceConfig config;
  @Inject DelayWarnings warnings;

  private ScheduledExecutorService timer;

  void onStart(@Observes StartupEvent ignored) {
    if (config.dsn().delayWarningAfter().isZero()) {
      LOG.info("delay warnings are off (sluice.bounce.dsn.delay-warning-after=0)");
      return;
    }
    long every = config.dsn().delayScanInterval().toMillis();
    timer = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("sluice-bounce-delay-scan")
        .daemon(true).factory());
    timer.scheduleWithFixedDelay(this::scanSafely, every, every, TimeUnit.MILLISECONDS);
  }

  void onStop(@Observes ShutdownEvent ignored) {
    if (timer != null) {
      timer.shutdown();
      try {
        timer.awaitTermination(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private void scanSafely() {
    try {
      int sent;
      do {
        sent = warnings.scan(BATCH);
        if (sent > 0) {
          LOG.infof("delay scan sent %d warning(s)", sent);
        }
      } while (sent >= BATCH);
    } catch (RuntimeException e) {
      // Most often another instance decided the same recipient first; the next scan sees its row.
      LOG.debugf(e, "delay scan failed; retrying in %s", config.dsn().delayScanInterval());
      if (!(e.getCause() instanceof jakarta.persistence.PersistenceException)) {
        LOG.warnf("delay scan failed (%s); nothing was sent or recorded, retrying in %s", e,
            config.dsn().delayScanInterval());
      }
    }
  }
}
