package io.sluice.delivery.attempt;

import io.sluice.delivery.DeliveryConfig;
import io.sluice.delivery.outcome.Classification;
import io.sluice.delivery.outcome.Replies;
import io.sluice.delivery.route.RouteResult;
import io.sluice.delivery.route.Router;
import io.sluice.delivery.telemetry.DeliveryMetrics;
import io.sluice.delivery.shaping.Admission;
import io.sluice.delivery.shaping.Shaper;
import io.sluice.delivery.shaping.ShapingPolicy;
import io.sluice.delivery.transport.ConnectionPool;
import io.sluice.delivery.transport.Envelope;
import io.sluice.delivery.transport.SmtpClient;
import io.sluice.delivery.transport.SmtpTimeouts;
import io.sluice.delivery.transport.TlsPolicy;
import io.sluice.delivery.transport.TransactionResult;
import io.sluice.schema.Recipient;
import io.sluice.schema.RemoteReply;
import io.sluice.schema.SubmittedMessage;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.jboss.logging.Logger;

/**
 * Runs one delivery attempt of one message: groups its recipients by domain, routes each group and
 * sends one SMTP transaction per group, all groups at once on virtual threads. Every recipient given
 * comes back with an outcome; nothing here throws for a delivery failure.
 */
@ApplicationScoped
public class AttemptRunner {
  private static final Logger LOG = Logger.getLogger(AttemptRunner.class);

  private final Router router;
  private final SmtpClient smtp;
  private final Shaper shaper;
  private final TlsPolicy defaultTls;
  private final Map<String, TlsPolicy> tlsByDomain = new java.util.HashMap<>();
  private final DeliveryMetrics metrics;
  private final Clock clock;
  private final ExecutorService groups = Executors.newVirtualThreadPerTaskExecutor();

  @Inject
  public AttemptRunner(Router router, DeliveryConfig config, DeliveryMetrics metrics) {
    this(router, new SmtpClient(config.smtp().heloName().orElseGet(AttemptRunner::localName), timeouts(config.smtp()),
            new ConnectionPool(config.smtp().idleTimeout(), config.smtp().maxMessagesPerConnection(),
                Duration.ofSeconds(5))),
        shaper(config.shaping()), config.tls().policy(), config.tls().domains(), metrics, Clock.systemUTC());
  }

  public AttemptRunner(Router router, SmtpClient smtp, Shaper shaper, TlsPolicy defaultTls,
      Map<String, TlsPolicy> tlsByDomain, DeliveryMetrics metrics, Clock clock) {
    this.router = router;
    this.smtp = smtp;
    this.shaper = shaper;
    this.defaultTls = defaultTls;
    tlsByDomain.forEach((d, p) -> this.tlsByDomain.put(unquote(d).toLowerCase(java.util.Locale.ROOT), p));
    this.metrics = metrics;
    this.clock = clock;
    metrics.connections(smtp.pool());
    shaper.onBreakerOpen((destination, until) -> LOG.warnf("Destination %s failed %s times in a row: paused until %s; "
        + "its mail is deferred to the retry tiers meanwhile", destination, "several", until));
  }

  static Shaper shaper(DeliveryConfig.Shaping s) {
    ShapingPolicy defaults = new ShapingPolicy(s.maxConnections(), s.rate(), s.failureThreshold(), s.backoffMin(),
        s.backoffMax());
    Map<String, ShapingPolicy> perDomain = new java.util.HashMap<>();
    s.domains().forEach((domain, o) -> perDomain.put(unquote(domain).toLowerCase(java.util.Locale.ROOT),
        new ShapingPolicy(o.maxConnections().orElse(s.maxConnections()), o.rate().orElse(s.rate()),
            s.failureThreshold(), s.backoffMin(), s.backoffMax())));
    return new Shaper(defaults, perDomain, s.queueTimeout(), Clock.systemUTC());
  }

  private static String unquote(String key) {
    return key.length() >= 2 && key.startsWith("\"") && key.endsWith("\"") ? key.substring(1, key.length() - 1) : key;
  }

  @PreDestroy
  void close() {
    smtp.pool().close();
  }

  static SmtpTimeouts timeouts(DeliveryConfig.Smtp s) {
    return new SmtpTimeouts(s.connectTimeout(), s.greetingTimeout(), s.commandTimeout(), s.dataStartTimeout(),
        s.dataBlockTimeout(), s.dataDoneTimeout());
  }

  private static String localName() {
    try {
      return InetAddress.getLocalHost().getCanonicalHostName();
    } catch (java.io.IOException e) {
      return "localhost";
    }
  }

  public AttemptReport run(SubmittedMessage message) {
    Map<String, List<Recipient>> byDomain = new LinkedHashMap<>();
    for (Recipient r : message.recipients()) {
      byDomain.computeIfAbsent(r.domain(), d -> new ArrayList<>()).add(r);
    }
    List<Future<List<RecipientOutcome>>> futures = new ArrayList<>();
    for (Map.Entry<String, List<Recipient>> group : byDomain.entrySet()) {
      futures.add(groups.submit(() -> deliverGroup(message, group.getKey(), group.getValue())));
    }
    List<RecipientOutcome> outcomes = new ArrayList<>();
    int i = 0;
    for (Map.Entry<String, List<Recipient>> group : byDomain.entrySet()) {
      Future<List<RecipientOutcome>> f = futures.get(i++);
      try {
        outcomes.addAll(f.get());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        outcomes.addAll(all(group.getValue(), Replies.localError("interrupted (shutting down)"), null, "local"));
      } catch (java.util.concurrent.ExecutionException e) {
        // A bug, not a delivery failure: keep the mail and retry it later.
        LOG.errorf(e.getCause(), "Delivery of %s to %s failed with an unexpected error; the recipients are deferred "
            + "and will be retried", message.queueId(), group.getKey());
        outcomes.addAll(all(group.getValue(), Replies.localError(String.valueOf(e.getCause())), null, "local"));
      }
    }
    return new AttemptReport(message, message.attempt() + 1, clock.instant(), outcomes);
  }

  private List<RecipientOutcome> deliverGroup(SubmittedMessage message, String domain, List<Recipient> recipients) {
    long start = System.nanoTime();
    RouteResult route;
    try {
      route = router.route(domain).toCompletableFuture().join();
    } catch (RuntimeException e) {
      route = new RouteResult.TemporaryFailure(String.valueOf(e));
    }
    List<RecipientOutcome> result = switch (route) {
      case RouteResult.Hosts hosts -> send(message, domain, recipients, hosts);
      case RouteResult.NullMx n -> all(recipients, Replies.nullMx(domain), null, "dns:null-mx");
      case RouteResult.NoSuchDomain n -> all(recipients, Replies.noSuchDomain(domain), null, "dns:nxdomain");
      case RouteResult.Unroutable u -> all(recipients, Replies.unroutable(domain, u.detail()), null, "dns:unroutable");
      case RouteResult.TemporaryFailure t ->
          all(recipients, Replies.dnsTemporaryFailure(domain, t.detail()), null, "dns:temporary-failure");
    };
    String destination = result.getFirst().destination();
    metrics.attempt(destination, Duration.ofNanos(System.nanoTime() - start));
    return result;
  }

  private List<RecipientOutcome> send(SubmittedMessage message, String domain, List<Recipient> recipients,
      RouteResult.Hosts hosts) {
    String destination = hosts.destination();
    metrics.destinationGauges(destination, shaper);
    Admission admission;
    try {
      admission = shaper.admit(destination, domain);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return all(recipients, Replies.localError("interrupted (shutting down)"), null, destination);
    }
    return switch (admission) {
      case Admission.Throttled t -> all(recipients, t.reply(), null, destination);
      case Admission.Admitted a -> {
        boolean reached = false;
        try {
          Envelope envelope = new Envelope(message.reversePath(), recipients, message.envid(), message.ret(),
              message.smtputf8(), message.content());
          TransactionResult tx = smtp.deliver(hosts.hosts(), envelope, tlsByDomain.getOrDefault(domain, defaultTls));
          reached = tx.reachedServer();
          List<RecipientOutcome> out = new ArrayList<>();
          for (TransactionResult.RecipientReply rr : tx.replies()) {
            out.add(new RecipientOutcome(rr.recipient(), Classification.classify(rr.reply()), rr.reply(),
                tx.remoteMta(), destination));
          }
          yield out;
        } finally {
          a.permit().release(reached);
        }
      }
    };
  }

  private static List<RecipientOutcome> all(List<Recipient> recipients, RemoteReply reply, String mta, String destination) {
    return recipients.stream()
        .map(r -> new RecipientOutcome(r, Classification.classify(reply), reply, mta, destination))
        .toList();
  }
}
