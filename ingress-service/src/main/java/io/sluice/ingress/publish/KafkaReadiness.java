package io.sluice.ingress.publish;

import io.sluice.ingress.IngressConfig;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Whether the broker answers: {@code Admin.describeCluster()} with a short timeout, the result
 * reused for {@code sluice.ingress.readiness-cache}. Backs the readiness probe and the session
 * greeting: while the broker is unreachable, new sessions get 421 instead of a transaction that
 * could only end in 451.
 */
@ApplicationScoped
public class KafkaReadiness {
  private static final Logger LOG = Logger.getLogger(KafkaReadiness.class);
  private static final long PROBE_TIMEOUT_MS = 2000;

  private final Admin admin;
  private final long cacheNanos;
  private final AtomicBoolean probing = new AtomicBoolean();
  private volatile boolean ready;
  private volatile String detail = "not probed yet";
  private volatile long probedAt;
  private volatile boolean probedOnce;

  KafkaReadiness(@ConfigProperty(name = "kafka.bootstrap.servers") String bootstrap, IngressConfig config) {
    this.admin = Admin.create(Map.of(
        AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
        AdminClientConfig.CLIENT_ID_CONFIG, "sluice-ingress-readiness",
        AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) PROBE_TIMEOUT_MS,
        AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) PROBE_TIMEOUT_MS,
        AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 1000));
    this.cacheNanos = config.readinessCache().toNanos();
  }

  /** The cached answer, refreshed when older than the cache time (one probe at a time). */
  public boolean isReady() {
    if ((!probedOnce || System.nanoTime() - probedAt > cacheNanos) && probing.compareAndSet(false, true)) {
      try {
        probe();
      } finally {
        probing.set(false);
      }
    }
    return ready;
  }

  private void probe() {
    boolean was = ready;
    try {
      int nodes = admin.describeCluster(new DescribeClusterOptions().timeoutMs((int) PROBE_TIMEOUT_MS))
          .nodes().get(PROBE_TIMEOUT_MS + 500, TimeUnit.MILLISECONDS).size();
      ready = nodes > 0;
      detail = nodes + " broker(s) reachable";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      ready = false;
      detail = "interrupted";
    } catch (Exception e) {
      ready = false;
      detail = "broker unreachable: " + e;
    }
    probedAt = System.nanoTime();
    if (probedOnce && was != ready) {
      if (ready) {
        LOG.infof("Kafka is reachable again (%s); accepting SMTP sessions", detail);
      } else {
        LOG.errorf("Kafka is unreachable (%s); new SMTP sessions get 421 4.3.0 until it is back."
            + " Nothing already acknowledged is affected. Check the broker and kafka.bootstrap.servers", detail);
      }
    }
    probedOnce = true;
  }

  /** What the last probe saw, for the health report. */
  public String detail() {
    return detail;
  }

  @PreDestroy
  void close() {
    admin.close(java.time.Duration.ofSeconds(2));
  }
}
