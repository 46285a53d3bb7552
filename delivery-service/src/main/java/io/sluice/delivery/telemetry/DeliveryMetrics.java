package io.sluice.delivery.telemetry;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.sluice.delivery.shaping.Shaper;
import io.sluice.delivery.transport.ConnectionPool;
import io.sluice.delivery.transport.TlsOutcome;
import io.sluice.schema.EventType;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Per-destination metrics, exposed at /q/metrics as {@code sluice_delivery_*}. The destination tag
 * is the host set (primary MX, static route or smart host), or the failure kind when routing failed
 * ({@code dns:nxdomain}, ...), so its cardinality follows the destinations, not the recipients.
 */
@Singleton // no client proxy to resolve on every call: it is called for every message
public class DeliveryMetrics {
  private final MeterRegistry registry;
  // Meters are looked up once per destination, not on every message.
  private final Map<String, Counter> attempts = new ConcurrentHashMap<>();
  private final Map<String, Timer> latencies = new ConcurrentHashMap<>();
  private final Map<String, Counter> outcomes = new ConcurrentHashMap<>();
  private final Map<String, Counter> pauses = new ConcurrentHashMap<>();
  private final Set<String> gauged = ConcurrentHashMap.newKeySet();
  private final Map<TlsOutcome, Counter> tlsOutcomes = new ConcurrentHashMap<>();

  @Inject
  public DeliveryMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  /** What came of STARTTLS on a new connection whose policy allows TLS. */
  public void tls(TlsOutcome outcome) {
    tlsOutcomes.computeIfAbsent(outcome, o -> Counter.builder("sluice.delivery.tls.sessions")
        .description("New SMTP connections by what came of STARTTLS (connections with TLS policy none are not counted)")
        .tag("outcome", o.tag()).register(registry)).increment();
  }

  /** One SMTP transaction (or routing failure) for one destination group. */
  public void attempt(String destination, Duration latency) {
    attempts.computeIfAbsent(destination, d -> Counter.builder("sluice.delivery.attempts")
        .description("Transactions attempted per destination").tag("destination", d).register(registry)).increment();
    latencies.computeIfAbsent(destination, d -> Timer.builder("sluice.delivery.latency")
        .description("Time to route, wait for a slot and send one transaction").tag("destination", d)
        .publishPercentileHistogram().register(registry)).record(latency);
  }

  /** One recipient outcome: delivered, deferred, bounced or expired. */
  public void outcome(String destination, EventType type) {
    outcomes.computeIfAbsent(type.name() + "|" + destination, k -> Counter.builder(
            "sluice.delivery." + type.name().toLowerCase(java.util.Locale.ROOT))
        .description("Recipients per outcome and destination").tag("destination", destination).register(registry))
        .increment();
  }

  /** Open and idle SMTP connections of the pool. */
  public void connections(ConnectionPool pool) {
    Gauge.builder("sluice.delivery.connections.open", pool, ConnectionPool::open)
        .description("Open SMTP connections (busy and idle)").register(registry);
    Gauge.builder("sluice.delivery.connections.idle", pool, ConnectionPool::idle)
        .description("Idle SMTP connections kept for reuse").register(registry);
  }

  /** Busy slots, window, ready-queue length and pause of one destination (registered once per destination). */
  public void destinationGauges(String destination, Shaper shaper) {
    if (!gauged.add(destination)) {
      return;
    }
    Gauge.builder("sluice.delivery.destination.busy", shaper, s -> s.inUse(destination))
        .description("Transactions in flight to the destination").tag("destination", destination).register(registry);
    Gauge.builder("sluice.delivery.destination.window", shaper, s -> s.limit(destination))
        .description("Current (adaptive) connection window of the destination").tag("destination", destination)
        .register(registry);
    Gauge.builder("sluice.delivery.destination.waiting", shaper, s -> s.waiting(destination))
        .description("Messages waiting for a slot of the destination").tag("destination", destination)
        .register(registry);
    Gauge.builder("sluice.delivery.destination.paused", shaper, s -> s.pausedReply(destination) == null ? 0 : 1)
        .description("1 while the destination is paused (its breaker is open, or its probe transaction is under way)")
        .tag("destination", destination).register(registry);
  }

  /** The destination's breaker opened: the first time, or again after a failed probe. */
  public void paused(String destination) {
    pauses.computeIfAbsent(destination, d -> Counter.builder("sluice.delivery.destination.pauses")
        .description("Times the destination was paused (its breaker opened)").tag("destination", d)
        .register(registry)).increment();
  }

  public void deadLettered(String topic) {
    Counter.builder("sluice.delivery.dead.lettered").description("Unreadable records moved to sluice.dead")
        .tag("topic", topic).register(registry).increment();
  }
}
