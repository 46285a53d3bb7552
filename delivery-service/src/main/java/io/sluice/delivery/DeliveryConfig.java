package io.sluice.delivery;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Every setting of delivery-service. Each key is documented in docs/configuration.md; keep
 * the two in step.
 */
@ConfigMapping(prefix = "sluice.delivery")
public interface DeliveryConfig {

  /** How delivery reads sluice.submitted. */
  Consumer consumer();

  /** How delivery writes its outcomes: events, deferred records and dead letters. */
  Producer producer();

  /** MX resolution. */
  Dns dns();

  /**
   * Static routes: recipient domain (lower case) to {@code host[:port]}; the host may be a name or an
   * IP literal ({@code [::1]:2526} for IPv6). A static route wins over the smart host and over MX.
   * Key form: {@code sluice.delivery.routes."demo.sluice.test"=127.0.0.1:2526}.
   */
  Map<String, String> routes();

  /**
   * Smart host {@code host[:port]}: when set, every domain without a static route is relayed here
   * instead of its MX hosts. Unset by default (MX routing).
   */
  @WithName("smart-host")
  Optional<String> smartHost();

  /** The SMTP client. */
  Smtp smtp();

  /** Retries and the deferred tiers. */
  Retry retry();

  /** Per-destination windows, rates and breakers. */
  Shaping shaping();

  /** STARTTLS to remote servers. */
  Tls tls();

  interface Tls {
    /** none, opportunistic (STARTTLS when offered, plaintext otherwise) or required (defer without TLS). */
    @WithDefault("opportunistic")
    io.sluice.delivery.transport.TlsPolicy policy();

    /** Policy per recipient domain, e.g. {@code sluice.delivery.tls.domains."bank.example"=required}. */
    Map<String, io.sluice.delivery.transport.TlsPolicy> domains();
  }

  interface Shaping {
    /** Concurrent transactions (connections) per destination, i.e. per MX host set. */
    @WithDefault("20")
    int maxConnections();

    /** Messages per second per destination; 0 means no limit. */
    @WithDefault("0")
    double rate();

    /** Longest wait for a free connection slot (or a rate token) before the mail is deferred to a tier. */
    @WithDefault("30s")
    Duration queueTimeout();

    /** Consecutive unreachable transactions (connection failure, 421, bad greeting) that pause a destination. */
    @WithDefault("5")
    int failureThreshold();

    /**
     * Consecutive transactions in which a reached server deferred every recipient (4xx) that pause a
     * destination as failures do; 0 turns this off.
     */
    @WithDefault("10")
    int tempfailThreshold();

    /** First pause of a failing destination; doubles on each reopening. Its mail is deferred meanwhile. */
    @WithDefault("30s")
    Duration backoffMin();

    /** Longest pause of a failing destination. */
    @WithDefault("10m")
    Duration backoffMax();

    /**
     * Overrides per recipient domain, applied to the destination that domain routes to, e.g.
     * {@code sluice.delivery.shaping.domains."gmail.com".max-connections=50}.
     */
    Map<String, DomainShaping> domains();
  }

  interface DomainShaping {
    /** Concurrent transactions for this domain's destination; unset: the default. */
    Optional<Integer> maxConnections();

    /** Messages per second for this domain's destination; unset: the default. */
    Optional<Double> rate();
  }

  interface Consumer {
    /** Kafka consumer group of the delivery workers; all instances share it to share the work. */
    @WithDefault("sluice-delivery")
    String groupId();

    /** Where a group without committed offsets starts: earliest, so nothing queued is skipped. */
    @WithDefault("earliest")
    String autoOffsetReset();

    /** How long one poll waits for records. */
    @WithDefault("500ms")
    Duration pollTimeout();

    /** At most this many records are returned by one poll. */
    @WithDefault("500")
    int maxPollRecords();

    /**
     * Records being delivered at once by this instance; when reached, all partitions are paused until
     * a quarter of them finished. Bounds memory (each record holds its message bytes). A record counts
     * until its outcome is acknowledged, so this must exceed the record rate times the producer's
     * linger, or the linger throttles consumption.
     */
    @WithDefault("5000")
    int maxInFlight();

    /**
     * Message bytes being delivered at once by this instance; like max-in-flight, reaching it pauses
     * all partitions until a quarter finished. Default 512 MiB.
     */
    @WithDefault("536870912")
    long maxInFlightBytes();

    /**
     * Kafka group protocol: {@code classic} (cooperative, per-topic sticky assignment) or {@code consumer}
     * (KIP-848, needs brokers 4.0+); both rebalance incrementally, and classic costs less CPU.
     */
    @WithDefault("classic")
    String groupProtocol();

    /** How often the offsets of finished records are committed. */
    @WithDefault("1s")
    Duration commitInterval();

    /**
     * On shutdown or when partitions are revoked, how long records in flight may take to finish
     * before the rest is left to the next owner (delivered again: a rare duplicate, never a loss).
     */
    @WithDefault("30s")
    Duration drainTimeout();

    /**
     * Test aid for a shared broker: when set, only records whose every recipient is in one of these
     * domains are delivered; all other records (and unreadable ones) are skipped without any
     * output. Never set this in production: skipped records are not delivered.
     */
    Optional<List<String>> onlyRecipientDomains();
  }

  interface Producer {
    /**
     * The producer's {@code linger.ms}: how long an outcome record waits to share a compressed batch.
     * It delays only the commit of the source record, never an SMTP connection; longer batches cost
     * the producer and the broker less per record (docs/benchmarks.md).
     */
    @WithDefault("100ms")
    Duration linger();
  }

  interface Dns {
    /**
     * Resolver addresses {@code host[:port]}, comma separated, e.g. {@code 127.0.0.1:5353}. Unset: the
     * system resolver (resolv.conf).
     */
    Optional<List<String>> servers();

    /** Timeout of one DNS query, after which it counts as a temporary failure (deferred, 4.4.3). */
    @WithDefault("5s")
    Duration timeout();
  }

  interface Smtp {
    /** Port used for MX hosts and for routes without an explicit port (RFC 5321 §4.5.4: 25). */
    @WithDefault("25")
    int port();

    /** Name given in EHLO/HELO. Unset: this host's canonical name. */
    Optional<String> heloName();

    /** TCP connect timeout per host. */
    @WithDefault("30s")
    Duration connectTimeout();

    /** Wait for the 220 greeting (RFC 5321 §4.5.3.2.1: 5 min). */
    @WithDefault("5m")
    Duration greetingTimeout();

    /** Wait for replies to EHLO, HELO, MAIL, RCPT, RSET and QUIT (RFC 5321 §4.5.3.2.2-3: 5 min). */
    @WithDefault("5m")
    Duration commandTimeout();

    /** Wait for the 354 reply to DATA (RFC 5321 §4.5.3.2.4: 2 min). */
    @WithDefault("2m")
    Duration dataStartTimeout();

    /** Wait for a block of message data to be accepted by the socket (RFC 5321 §4.5.3.2.5: 3 min). */
    @WithDefault("3m")
    Duration dataBlockTimeout();

    /** Wait for the reply to the final dot (RFC 5321 §4.5.3.2.6: 10 min). */
    @WithDefault("10m")
    Duration dataDoneTimeout();

    /** How long an idle connection is kept for reuse (RSET, then the next MAIL); 0 turns reuse off. */
    @WithDefault("5s")
    Duration idleTimeout();

    /**
     * Recipients per transaction; a larger group is split. RFC 5321 §4.5.3.1.8: servers must accept
     * at least 100. Recipients refused with 452 4.5.3 are sent in a further transaction at once.
     */
    @WithDefault("100")
    int maxRecipientsPerTransaction();

    /** Transactions per connection before it is closed with QUIT. */
    @WithDefault("100")
    int maxMessagesPerConnection();
  }

  interface Retry {
    /**
     * Deferred tiers, shortest first; each name is a duration ({@code 90s}, {@code 5m}, {@code 2h},
     * {@code 1d}) and names the topic {@code sluice.deferred.<tier>}.
     */
    @WithDefault("1m,5m,30m,2h,6h")
    List<String> tiers();

    /** Delay before the second attempt; doubled after each further failure. */
    @WithDefault("1m")
    Duration initialDelay();

    /** Ceiling of the doubling delay. */
    @WithDefault("6h")
    Duration maxDelay();

    /** Random share taken off each delay (0 to 1), so retries of one burst spread out. */
    @WithDefault("0.2")
    double jitter();

    /** After this age a still-deferred recipient becomes EXPIRED (RFC 5321 §4.5.4.1: 4-5 days). */
    @WithDefault("5d")
    Duration maxAge();
  }
}
