package io.sluice.ingress.publish;

import io.sluice.ingress.IngressConfig;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.jboss.logging.Logger;

/**
 * Whether the broker answers: {@code Admin.describeCluster()} with a short timeout, repeated every
 * {@code sluice.ingress.readiness-cache} by a background thread. Backs the readiness probe and the
 * session greeting: while the broker is unreachable, new sessions get 421 instead of a transaction
 * that could only end in 451. Reading the state never blocks a session; the first probe runs when
 * the bean is created, which {@code SmtpServer} forces before its listeners open.
 *
 * <p>It takes two failed probes in a row to become not ready (one success to become ready again):
 * a slow answer from a busy broker should not turn mail away, and a wrong "ready" is safe anyway
 * (the transaction then ends in 451, the client keeps the message).
 */
@ApplicationScoped
public class KafkaReadiness {
  private static final Logger LOG = Logger.getLogger(KafkaReadiness.class);
  private static final long PROBE_TIMEOUT_MS = 5000;

  private final Admin admin;
  private final Duration interval;
  private final Thread prober;
  private volatile boolean ready;
  private volatile String detail = "not probed yet";
  private volatile boolean stopped;
  private int failuresInARow;

  KafkaReadiness(KafkaClientConfig kafka, IngressConfig config) {
    Map<String, Object> c = kafka.common();
    c.put(AdminClientConfig.CLIENT_ID_CONFIG, "sluice-ingress-readiness");
    c.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) PROBE_TIMEOUT_MS);
    c.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) PROBE_TIMEOUT_MS);
    c.put(AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 1000);
    this.admin = Admin.create(c);
    this.interval = config.readinessCache();
    probe(true);
    this.prober = Thread.ofVirtual().name("kafka-readiness").start(this::probeLoop);
  }

  /** Forces the bean (and so its first probe) into existence; returns the first answer. */
  public boolean awaitFirstProbe() {
    return ready;
  }

  /** The latest probe's answer; never blocks. */
  public boolean isReady() {
    return ready;
  }

  /** What the last probe saw, for the health report. */
  public String detail() {
    return detail;
  }

  private void probeLoop() {
    while (!stopped) {
      try {
        Thread.sleep(interval);
      } catch (InterruptedException e) {
        return;
      }
      probe(false);
    }
  }

  private void probe(boolean first) {
    boolean was = ready;
    boolean ok;
    try {
      int nodes = admin.describeCluster(new DescribeClusterOptions().timeoutMs((int) PROBE_TIMEOUT_MS))
          .nodes().get(PROBE_TIMEOUT_MS + 500, TimeUnit.MILLISECONDS).size();
      ok = nodes > 0;
      detail = nodes + " broker(s) reachable";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      ok = false;
      detail = "interrupted";
    } catch (Exception e) {
      ok = false;
      detail = "broker unreachable: " + e;
    }
    failuresInARow = ok ? 0 : failuresInARow + 1;
    ready = ok || (was && failuresInARow < 2);
    if (first && !ready) {
      LOG.errorf("Kafka is unreachable at startup (%s); SMTP sessions get 421 4.3.0 until it answers."
          + " Check the broker and kafka.bootstrap.servers", detail);
    } else if (!first && was != ready) {
      if (ready) {
        LOG.infof("Kafka is reachable again (%s); accepting SMTP sessions", detail);
      } else {
        LOG.errorf("Kafka is unreachable (%s); new SMTP sessions get 421 4.3.0 until it is back."
            + " Nothing already acknowledged is affected. Check the broker and kafka.bootstrap.servers", detail);
      }
    }
  }

  @PreDestroy
  void close() {
    stopped = true;
    prober.interrupt();
    admin.close(Duration.ofSeconds(2));
  }
}
