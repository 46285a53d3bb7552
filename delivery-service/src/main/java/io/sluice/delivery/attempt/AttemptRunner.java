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
import io.sluice.delivery.shaping.TransactionFeedback;
import io.sluice.delivery.transport.ConnectionPool;
import io.sluice.delivery.transport.Envelope;
import io.sluice.delivery.transport.SmtpClient;
import io.sluice.delivery.transport.SmtpTimeouts;
import io.sluice.delivery.transport.Tls;
import io.sluice.delivery.transport.TlsPolicy;
import io.sluice.delivery.transport.TransactionResult;
import io.sluice.schema.Recipient;
import io.sluice.schema.RemoteReply;
import io.sluice.schema.SubmittedMessage;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
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
@Singleton // no client proxy to resolve on every call: it is called for every message
public class AttemptRunner {
  private static final Logger LOG = Logger.getLogger(AttemptRunner.class);

  private final Router router;
  private final SmtpClient smtp;
  private final Shaper shaper;
  private final TlsPolicy defaultTls;
  private final int maxRecipients;
  private final Map<String, TlsPolicy> tlsByDomain = new java.util.HashMap<>();
  private final DeliveryMetrics metrics;
  private final Clock clock;
  private final ExecutorService groups = Executors.newVirtualThreadPerTaskExecutor();

  @Inject
  public AttemptRunner(Router router, DeliveryConfig config, DeliveryMetrics metrics) {
    this(router, new SmtpClient(config.smtp().heloName().orElseGet(AttemptRunner::localName), timeouts(config.smtp()),
            new ConnectionPool(config.smtp().idleTimeout(), config.smtp().maxMessagesPerConnection(),
                Duration.ofSeconds(5)), Tls.unverifiedClientFactory(), metrics::tls),
        shaper(config.shaping()), config.tls().policy(), config.tls().domains(),
        config.smtp().maxRecipientsPerTransaction(), metrics, Clock.systemUTC());
  }

  public AttemptRunner(Router router, SmtpClient smtp, Shaper shaper, TlsPolicy defaultTls,
      Map<String, TlsPolicy> tlsByDomain, int maxRecipients, DeliveryMetrics metrics, Clock clock) {
    this.maxRecipients = Math.max(1, maxRecipients);
    this.router = router;
    this.smtp = smtp;
    this.shaper = shaper;
    this.defaultTls = defaultTls;
    tlsByDomain.forEach((d, p) -> this.tlsByDomain.put(unquote(d).toLowerCase(java.util.Locale.ROOT), p));
    this.metrics = metrics;
    this.clock = clock;
    metrics.connections(smtp.pool());
    shaper.onBreakerOpen((destination, until) -> {
      metrics.paused(destination);
      LOG.warnf("Destination %s could not be reached repeatedly (connection failures, 421 or refused greetings) or "
          + "deferred every recipient repeatedly (4xx): paused until %s, when one transaction tests it; its mail is "
          + "deferred to the retry tiers meanwhile without connecting, and nothing is lost", destination, until);
    });
  }

  static Shaper shaper(DeliveryConfig.Shaping s) {
    ShapingPolicy defaults = new ShapingPolicy(s.maxConnections(), s.rate(), s.failureThreshold(),
        s.tempfailThreshold(), s.backoffMin(), s.backoffMax());
    Map<String, ShapingPolicy> perDomain = new java.util.HashMap<>();
    s.domains().forEach((domain, o) -> perDomain.put(unquote(domain).toLowerCase(java.util.Locale.ROOT),
        new ShapingPolicy(o.maxConnections().orElse(s.maxConnections()), o.rate().orElse(s.rate()),
            s.failureThreshold(), s.tempfailThreshold(), s.backoffMin(), s.backoffMax())));
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

  /**
   * When every recipient's destination is paused now (its breaker is open, so {@link #run} would
   * defer them all without connecting), the report that defers them with the pause's reply, made
   * without routing anew or waiting for anything; otherwise null, and the message goes to
   * {@link #run}. A destination that tempfails everything is paused for minutes while its mail keeps
   * coming, so this is the path most of that mail takes; it must stay cheap next to real deliveries.
   */
  public AttemptReport deferIfPaused(SubmittedMessage message) {
    List<RecipientOutcome> outcomes = new ArrayList<>(message.recipients().size());
    String domain = null;
    String destination = null;
    RemoteReply reply = null;
    for (Recipient r : message.recipients()) {
      if (!r.domain().equals(domain)) {
        // Only a route already known (static, or cached from DNS) is used; a lookup in flight means "attempt".
        RouteResult route = router.route(r.domain()).toCompletableFuture().getNow(null);
        if (!(route instanceof RouteResult.Hosts hosts) || (reply = shaper.pausedReply(hosts.destination())) == null) {
          return null;
        }
        domain = r.domain();
        destination = hosts.destination();
      }
      outcomes.add(new RecipientOutcome(r, Classification.classify(reply), reply, null, destination));
    }
    if (outcomes.isEmpty()) {
      return null;
    }
    // Not an attempt: counted as deferred only (see deliverGroup).
    return new AttemptReport(message, message.attempt() + 1, clock.instant(), outcomes);
  }

  public AttemptReport run(SubmittedMessage message) {
    Map<String, List<Recipient>> byDomain = new LinkedHashMap<>();
    for (Recipient r : message.recipients()) {
      byDomain.computeIfAbsent(r.domain(), d -> new ArrayList<>()).add(r);
    }
    if (byDomain.size() == 1) { // the common case: no need for another thread
      Map.Entry<String, List<Recipient>> only = byDomain.entrySet().iterator().next();
      List<RecipientOutcome> outcomes;
      try {
        outcomes = deliverGroup(message, only.getKey(), only.getValue());
      } catch (RuntimeException e) {
        LOG.errorf(e, "Delivery of %s to %s failed with an unexpected error; the recipients are deferred and will be "
            + "retried", message.queueId(), only.getKey());
        outcomes = all(only.getValue(), Replies.localError(String.valueOf(e)), null, "local");
      }
      return new AttemptReport(message, message.attempt() + 1, clock.instant(), outcomes);
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
    RecipientOutcome first = result.getFirst();
    // Mail that shaping held back (paused destination, full window, rate) reached no server: it is
    // counted as deferred, not as an attempt, so that a paused destination's latency histogram is not
    // filled with the microseconds it took to defer its mail.
    if (!first.heldBack()) {
      metrics.attempt(first.destination(), Duration.ofNanos(System.nanoTime() - start));
    }
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
        List<RecipientOutcome> out = new ArrayList<>();
        try {
          TlsPolicy tls = tlsByDomain.getOrDefault(domain, defaultTls);
          for (int from = 0; from < recipients.size(); from += maxRecipients) {
            List<Recipient> chunk = recipients.subList(from, Math.min(recipients.size(), from + maxRecipients));
            reached |= transactions(message, chunk, hosts, tls, destination, out);
          }
          yield out;
        } finally {
          a.permit().release(feedback(reached, out));
        }
      }
    };
  }

  /**
   * One transaction for the recipients, and follow-up transactions for those the server deferred
   * with "too many recipients" (RFC 5321 §4.5.3.1.10: send the rest in another transaction), as
   * long as each round delivers some. Returns whether any server was reached.
   */
  private boolean transactions(SubmittedMessage message, List<Recipient> recipients, RouteResult.Hosts hosts,
      TlsPolicy tls, String destination, List<RecipientOutcome> out) {
    List<Recipient> pending = recipients;
    boolean reached = false;
    while (!pending.isEmpty()) {
      Envelope envelope = new Envelope(message.reversePath(), pending, message.envid(), message.ret(),
          message.smtputf8(), message.content());
      TransactionResult tx = smtp.deliver(hosts.hosts(), envelope, tls);
      reached |= tx.reachedServer();
      List<Recipient> tooMany = new ArrayList<>();
      boolean progress = false;
      for (TransactionResult.RecipientReply rr : tx.replies()) {
        if (isTooManyRecipients(rr.reply())) {
          tooMany.add(rr.recipient());
          continue;
        }
        progress |= rr.reply().isPositive();
        out.add(new RecipientOutcome(rr.recipient(), Classification.classify(rr.reply()), rr.reply(), tx.remoteMta(),
            destination));
      }
      if (!progress) {
        RemoteReply last = tx.replies().stream().filter(r -> isTooManyRecipients(r.reply())).findFirst()
            .map(TransactionResult.RecipientReply::reply).orElse(null);
        for (Recipient r : tooMany) {
          out.add(new RecipientOutcome(r, Classification.classify(last), last, tx.remoteMta(), destination));
        }
        break;
      }
      pending = tooMany;
    }
    return reached;
  }

  static TransactionFeedback feedback(boolean reached, List<RecipientOutcome> outcomes) {
    if (!reached) {
      return TransactionFeedback.UNREACHABLE;
    }
    boolean allDeferred = !outcomes.isEmpty() && outcomes.stream().allMatch(o -> o.reply().isTransient());
    return allDeferred ? TransactionFeedback.TEMPFAILED : TransactionFeedback.ANSWERED;
  }

  /** 452 with 4.5.3 (or no enhanced code): the server takes no more recipients in this transaction. */
  private static boolean isTooManyRecipients(RemoteReply reply) {
    return reply.code() == 452 && (reply.enhancedStatus() == null || reply.enhancedStatus().equals("4.5.3"));
  }

  private static List<RecipientOutcome> all(List<Recipient> recipients, RemoteReply reply, String mta, String destination) {
    return recipients.stream()
        .map(r -> new RecipientOutcome(r, Classification.classify(reply), reply, mta, destination))
        .toList();
  }
}
