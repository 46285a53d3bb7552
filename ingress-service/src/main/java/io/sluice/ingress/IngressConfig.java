package io.sluice.ingress;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** Configuration of the ingress service; every key is documented in docs/configuration.md. */
@ConfigMapping(prefix = "sluice.ingress")
public interface IngressConfig {
  /** Address the relay SMTP listener binds to. */
  @WithDefault("0.0.0.0")
  String host();

  /** Port of the relay SMTP listener; 0 picks a free port (tests). */
  @WithDefault("2525")
  int port();

  /** Our name in the 220 greeting, the EHLO reply and Received headers; default: the local host name. */
  Optional<String> hostname();

  /** Largest message accepted, in octets (SIZE, RFC 1870); must fit Kafka's 12 MiB record limit. */
  @WithDefault("10485760")
  long maxMessageSize();

  /** Message content all sessions together may hold in memory; beyond it messages get 452 4.3.1. */
  @WithDefault("268435456")
  long maxBufferedBytes();

  /** Most recipients per transaction; beyond it RCPT gets 452 4.5.3. */
  @WithDefault("1000")
  int maxRecipients();

  /** Networks (CIDR) whose clients may relay without AUTH on the relay listener. */
  @WithDefault("127.0.0.0/8,::1/128")
  List<String> trustedNetworks();

  /**
   * Expect a PROXY protocol v2 header before the greeting on the relay listener (a load balancer in
   * front that sends one); the client address in it is used for every policy and log.
   */
  @WithDefault("false")
  boolean proxyProtocol();

  /**
   * Networks (CIDR) of the load balancers allowed to send a PROXY header; connections from
   * anywhere else to a listener with proxy-protocol on are closed. Required when any listener uses it.
   */
  Optional<List<String>> trustedProxies();

  /**
   * How long a trusted proxy has to send the whole PROXY header. Short on purpose: a balancer that
   * is not set to send one (or a client that reaches the listener directly) waits for a greeting
   * that never comes, and should show up in the logs within seconds, not after the command timeout.
   */
  @WithDefault("5s")
  Duration proxyHeaderTimeout();

  /**
   * Where mail to the bare {@code <Postmaster>} (RFC 5321 §4.5.1) is sent, e.g. postmaster@example.com.
   * Unset: {@code RCPT TO:<Postmaster>} gets 550 5.1.1, since this relay has no mailboxes of its own.
   */
  Optional<String> postmaster();

  /** Protocol errors (5.5.x replies) a session may make before it gets 421 and is closed. */
  @WithDefault("20")
  int maxBadCommands();

  /** Timeouts (RFC 5321 §4.5.3.2). */
  Timeouts timeout();

  /** How long to wait for the broker to acknowledge a message before answering 451 4.3.0. */
  @WithDefault("30s")
  Duration publishTimeout();

  /** On shutdown, how long transactions in progress may take to finish before they are cut off. */
  @WithDefault("20s")
  Duration shutdownGrace();

  /** How long a Kafka readiness probe result is reused. */
  @WithDefault("5s")
  Duration readinessCache();

  /** Producer buffer memory in bytes; when full, sessions wait (back-pressure) up to the publish timeout. */
  @WithDefault("67108864")
  long producerBufferMemory();

  /**
   * The sluice.submitted producer's linger.ms: how long a batch waits for more messages before it is
   * sent. Every 250 waits for it; shorter means more, smaller produce requests (more broker CPU).
   */
  @WithDefault("1ms")
  Duration publishLinger();

  /** Most concurrent SMTP sessions over all listeners; more get 421 4.7.0. */
  @WithDefault("20000")
  int maxConnections();

  /** Most concurrent sessions from one client address; trusted networks are exempt (like Postfix). */
  @WithDefault("50")
  int maxConnectionsPerClient();

  /** TLS for STARTTLS and the implicit-TLS listener. */
  Tls tls();

  /** The submission listener (RFC 6409): STARTTLS, AUTH required, Message-ID/Date added. */
  Submission submission();

  /** The implicit-TLS submission listener (RFC 8314 §3.3). */
  Submissions submissions();

  /** SMTP AUTH (RFC 4954). */
  Auth auth();

  interface Timeouts {
    /** Waiting for a whole command line (RFC 5321 §4.5.3.2.7: at least 5 minutes); a deadline, not per read. */
    @WithDefault("5m")
    Duration command();

    /** Waiting for the next block of message content (RFC 5321 §4.5.3.2.5: 3 minutes). */
    @WithDefault("3m")
    Duration data();

    /** The whole DATA or BDAT transfer of one message must finish within this (slow-drip clients). */
    @WithDefault("10m")
    Duration message();

    /** The TLS handshake (STARTTLS or implicit TLS) must finish within this. */
    @WithDefault("30s")
    Duration tlsHandshake();
  }

  interface Tls {
    /**
     * Name of a Quarkus TLS configuration ({@code quarkus.tls.<name>.key-store...}) holding the
     * server certificate. When it is not configured, STARTTLS is not offered and the TLS listeners
     * cannot start.
     */
    @WithDefault("smtp")
    String configuration();
  }

  interface Submission {
    /** Open the submission listener. */
    @WithDefault("false")
    boolean enabled();

    /** Address it binds to. */
    @WithDefault("0.0.0.0")
    String host();

    /** Its port; 0 picks a free one. */
    @WithDefault("587")
    int port();

    /** Expect a PROXY protocol v2 header first, as on the relay listener. */
    @WithDefault("false")
    boolean proxyProtocol();
  }

  interface Submissions {
    /** Open the implicit-TLS submission listener. */
    @WithDefault("false")
    boolean enabled();

    /** Address it binds to. */
    @WithDefault("0.0.0.0")
    String host();

    /** Its port; 0 picks a free one. */
    @WithDefault("465")
    int port();

    /** Expect a PROXY protocol v2 header first, as on the relay listener. */
    @WithDefault("false")
    boolean proxyProtocol();
  }

  interface Auth {
    /**
     * File of credentials, one per line: {@code user:$pbkdf2-sha256$<iterations>$<salt b64>$<hash b64>[:domain,...]}.
     * The optional last field restricts the sender domains the user may use. Empty: AUTH is off.
     */
    Optional<String> credentialsFile();

    /** Failed AUTH attempts a session may make; the next one closes it with 421 4.7.0. */
    @WithDefault("3")
    int maxFailures();

    /** Failed AUTH attempts from one client address within failure-window; then AUTH gets 454 4.7.0. */
    @WithDefault("10")
    int maxFailuresPerClient();

    /** The window for max-failures-per-client. */
    @WithDefault("15m")
    Duration failureWindow();
  }
}
