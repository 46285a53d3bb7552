package io.sluice.ingress;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Ingress metrics, exported at /q/metrics as {@code sluice_ingress_*}:
 *
 * <ul>
 *   <li>{@code sluice.ingress.sessions} (counter, tag listener) and {@code sluice.ingress.sessions.active} (gauge);
 *   <li>{@code sluice.ingress.messages.accepted} (counter);
 *   <li>{@code sluice.ingress.rejections} (counter, tag reason);
 *   <li>{@code sluice.ingress.message.bytes} (summary of accepted message sizes, with our header);
 *   <li>{@code sluice.ingress.publish.latency} (timer with histogram, tag outcome).
 * </ul>
 */
@ApplicationScoped
public class IngressMetrics {
  private final MeterRegistry registry;
  private final AtomicInteger active = new AtomicInteger();
  private final ConcurrentMap<String, Counter> rejections = new ConcurrentHashMap<>();
  private final ConcurrentMap<String, Counter> sessions = new ConcurrentHashMap<>();
  private final ConcurrentMap<String, Timer> publishLatency = new ConcurrentHashMap<>();
  private final Counter accepted;
  private final DistributionSummary bytes;

  IngressMetrics(MeterRegistry registry) {
    this.registry = registry;
    registry.gauge("sluice.ingress.sessions.active", active);
    this.accepted = Counter.builder("sluice.ingress.messages.accepted")
        .description("Messages acknowledged by Kafka and answered with 250").register(registry);
    this.bytes = DistributionSummary.builder("sluice.ingress.message.bytes").baseUnit("bytes")
        .description("Size of accepted messages").register(registry);
  }

  public void sessionOpened(String listener) {
    active.incrementAndGet();
    sessions.computeIfAbsent(listener, l -> Counter.builder("sluice.ingress.sessions")
        .description("SMTP sessions opened").tag("listener", l).register(registry)).increment();
  }

  public void sessionClosed() {
    active.decrementAndGet();
  }

  public int activeSessions() {
    return active.get();
  }

  public void accepted(long size) {
    accepted.increment();
    bytes.record(size);
  }

  /** A refusal, by reason, e.g. "relay-denied", "message-too-big", "bare-newline", "publish-timeout". */
  public void rejected(String reason) {
    rejections.computeIfAbsent(reason, r -> Counter.builder("sluice.ingress.rejections")
        .description("Replies that refused a command, connection or message").tag("reason", r)
        .register(registry)).increment();
  }

  /** Once per message: the timer is looked up here rather than built and registered each time. */
  public void publishLatency(Duration latency, String outcome) {
    publishLatency.computeIfAbsent(outcome, o -> Timer.builder("sluice.ingress.publish.latency")
        .description("From end of data to the broker's ack").tag("outcome", o).publishPercentileHistogram()
        .register(registry)).record(latency);
  }
}
