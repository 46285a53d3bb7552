package io.sluice.ingress.smtp;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.tls.TlsConfiguration;
import io.quarkus.tls.TlsConfigurationRegistry;
import io.sluice.ingress.IngressConfig;
import io.sluice.ingress.IngressMetrics;
import io.sluice.ingress.policy.ConnectionLimits;
import io.sluice.ingress.policy.Credentials;
import io.sluice.ingress.policy.CredentialsFile;
import io.sluice.ingress.policy.PolicyDecision;
import io.sluice.ingress.policy.RecipientPolicy;
import io.sluice.ingress.policy.SenderPolicy;
import io.sluice.ingress.policy.TrustedNetworks;
import io.sluice.ingress.publish.KafkaReadiness;
import io.sluice.ingress.publish.QueueWriter;
import io.sluice.schema.QueueIds;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.SSLContext;
import org.jboss.logging.Logger;

/**
 * The SMTP listeners: relay ({@code sluice.ingress.host}:{@code port}), and optionally submission
 * (STARTTLS + AUTH, RFC 6409) and submissions (implicit TLS, RFC 8314). Binds at startup (port 0
 * picks a free one; read it back with {@link #port()} / {@link #port(ListenerKind)}), runs each
 * session on its own virtual thread, and drains on shutdown:
 *
 * <ol>
 *   <li>stop accepting (the listening sockets are closed);
 *   <li>idle sessions get {@code 421 4.3.2} and are closed;
 *   <li>sessions inside a transaction may finish it for {@code sluice.ingress.shutdown-grace}; each
 *       gets 421 as soon as its transaction ends;
 *   <li>whatever is left after the grace period is closed with 421. A message whose 250 was not sent
 *       was not promised: the client retries (at worst a duplicate, never a loss).
 * </ol>
 * The Kafka producer is closed after this, when the container destroys {@code MessagePublisher}.
 */
@ApplicationScoped
public class SmtpServer {
  private static final Logger LOG = Logger.getLogger(SmtpServer.class);
  /** Offered once TLS is on (RFC 4954 §4). */
  private static final List<String> AUTH_MECHANISMS = List.of("PLAIN", "LOGIN");
  /** How often the credentials file is checked for changes. */
  private static final java.time.Duration CREDENTIALS_CHECK = java.time.Duration.ofSeconds(10);
  /**
   * The topics' max.message.bytes (12 MiB) less room for the envelope (up to 1000 recipients with
   * DSN parameters), our headers and Avro framing.
   */
  static final long SIZE_THAT_FITS_KAFKA = 12_582_912L - 1_048_576L;

  private final IngressConfig config;
  private final QueueWriter queue;
  private final KafkaReadiness readiness;
  private final IngressMetrics metrics;
  private final TlsConfigurationRegistry tlsRegistry;
  private final Registry registry = new Registry();
  private final Map<ListenerKind, Bound> listeners = new EnumMap<>(ListenerKind.class);
  private SmtpConnection.Services services;
  private TrustedNetworks trusted;
  private TrustedNetworks trustedProxies;
  private ConnectionLimits limits;

  SmtpServer(IngressConfig config, QueueWriter queue, KafkaReadiness readiness, IngressMetrics metrics,
      TlsConfigurationRegistry tlsRegistry) {
    this.config = config;
    this.queue = queue;
    this.readiness = readiness;
    this.metrics = metrics;
    this.tlsRegistry = tlsRegistry;
  }

  /** Sessions alive now; shutdown walks this set. */
  static final class Registry {
    private final Set<SmtpConnection> sessions = ConcurrentHashMap.newKeySet();
    private volatile boolean draining;

    boolean draining() {
      return draining;
    }

    void remove(SmtpConnection c) {
      sessions.remove(c);
    }
  }

  private record Bound(SmtpConnection.Listener listener, ServerSocket socket, Thread acceptor) {}

  void start(@Observes StartupEvent event) {
    // The readiness bean is lazy; create it (and run its first probe) before clients arrive.
    readiness.awaitFirstProbe();
    String hostname = config.hostname().filter(h -> !h.isBlank()).orElseGet(SmtpServer::localHostName);
    trusted = TrustedNetworks.parse(config.trustedNetworks());
    trustedProxies = TrustedNetworks.parse(config.trustedProxies().orElse(List.of()));
    boolean anyProxy = config.proxyProtocol() || (config.submission().enabled() && config.submission().proxyProtocol())
        || (config.submissions().enabled() && config.submissions().proxyProtocol());
    if (anyProxy && trustedProxies.networks().isEmpty()) {
      throw new IllegalStateException("A listener expects a PROXY protocol header but sluice.ingress.trusted-proxies is"
          + " empty, so every connection would be refused: list the load balancers' networks there, or turn"
          + " proxy-protocol off");
    }
    limits = new ConnectionLimits(config.maxConnections(), config.maxConnectionsPerClient(), trusted);
    SSLContext tls = sslContext();
    java.util.function.Supplier<Credentials> credentialSource = config.auth().credentialsFile()
        .filter(f -> !f.isBlank())
        .<java.util.function.Supplier<Credentials>>map(f -> new CredentialsFile(Path.of(f), CREDENTIALS_CHECK))
        .orElse(Credentials::none);
    Credentials credentials = credentialSource.get();
    if ((config.submission().enabled() || config.submissions().enabled()) && (tls == null || credentials.isEmpty())) {
      throw new IllegalStateException("The submission listeners need TLS and AUTH: configure quarkus.tls."
          + config.tls().configuration() + ".key-store.* and sluice.ingress.auth.credentials-file, or set"
          + " sluice.ingress.submission.enabled=false and sluice.ingress.submissions.enabled=false");
    }
    List<String> mechanisms = tls != null && !credentials.isEmpty() ? AUTH_MECHANISMS : List.of();
    services = new SmtpConnection.Services(new CommandParser(), queue, readiness, metrics, new QueueIds(),
        new SaslExchange(credentialSource), tls == null ? null : new SmtpTls(tls),
        new io.sluice.ingress.policy.MemoryBudget(config.maxBufferedBytes()),
        new io.sluice.ingress.policy.AuthThrottle(config.auth().maxFailuresPerClient(), config.auth().failureWindow()),
        config.timeout().command(),
        config.timeout().data(), config.timeout().message(), config.timeout().tlsHandshake(), config.maxBadCommands(),
        config.auth().maxFailures());
    RecipientPolicy recipients = new RecipientPolicy(config.maxRecipients(), postmaster());
    SenderPolicy senders = new SenderPolicy(credentialSource);
    long size = config.maxMessageSize();
    if (size > SIZE_THAT_FITS_KAFKA) {
      LOG.warnf("sluice.ingress.max-message-size=%d is more than fits a Kafka record (12582912 octets, minus the"
          + " envelope and headers); such messages will be accepted over SMTP but refused by the broker, and the"
          + " client gets 451 4.3.0. Lower it to %d or less", size, SIZE_THAT_FITS_KAFKA);
    }

    bind(new SmtpConnection.Listener(ListenerKind.RELAY, new SmtpProtocol(
        new SmtpSettings(hostname, size, tls != null, mechanisms, false), recipients, senders), false, false,
        config.proxyProtocol()),
        config.host(), config.port());
    if (config.submission().enabled()) {
      bind(new SmtpConnection.Listener(ListenerKind.SUBMISSION, new SmtpProtocol(
          new SmtpSettings(hostname, size, true, mechanisms, true), recipients, senders), false, true,
          config.submission().proxyProtocol()),
          config.submission().host(), config.submission().port());
    }
    if (config.submissions().enabled()) {
      bind(new SmtpConnection.Listener(ListenerKind.SUBMISSIONS, new SmtpProtocol(
          new SmtpSettings(hostname, size, false, mechanisms, true), recipients, senders), true, true,
          config.submissions().proxyProtocol()),
          config.submissions().host(), config.submissions().port());
    }
    Thread.ofVirtual().name("smtp-timeout-watchdog").start(this::timeoutWatchdog);
    LOG.infof("SMTP: hostname %s, SIZE %d, trusted networks %s, STARTTLS %s, AUTH %s (%d user(s))", hostname, size,
        trusted.networks(), tls != null ? "on" : "off (no quarkus.tls." + config.tls().configuration() + " key store)",
        mechanisms.isEmpty() ? "off" : String.join(" ", mechanisms), credentials.size());
  }

  /**
   * Certificate rotation: with {@code quarkus.tls.<name>.reload-period} set, Quarkus re-reads the key
   * store and fires this event; new TLS sessions then use the renewed certificate.
   */
  void certificateUpdated(@Observes io.quarkus.tls.CertificateUpdatedEvent event) {
    if (!event.name().equals(config.tls().configuration()) || services == null || services.tls() == null) {
      return;
    }
    try {
      services.tls().update(event.tlsConfiguration().createSSLContext());
      LOG.infof("SMTP: TLS certificate of quarkus.tls.%s renewed; new sessions use it", event.name());
    } catch (Exception e) {
      LOG.errorf("SMTP: cannot use the renewed certificate of quarkus.tls.%s (%s); keeping the previous one",
          event.name(), e.getMessage());
    }
  }

  /** sluice.ingress.postmaster as a mailbox; a value that is not one stops startup. */
  private Optional<Mailbox> postmaster() {
    return config.postmaster().filter(a -> !a.isBlank()).map(address -> {
      Command parsed = new CommandParser().parse("RCPT TO:<" + address.strip() + ">");
      if (parsed instanceof Command.RcptTo(ForwardPath.Of(Mailbox mailbox), var params) && params.isEmpty()) {
        return mailbox;
      }
      throw new IllegalStateException("sluice.ingress.postmaster=" + address + " is not a mailbox (local-part@domain);"
          + " set it to the address that should get mail for <Postmaster>, or leave it unset");
    });
  }

  private SSLContext sslContext() {
    TlsConfiguration tls = tlsRegistry.get(config.tls().configuration()).orElse(null);
    if (tls == null || tls.getKeyStore() == null) {
      return null;
    }
    try {
      return tls.createSSLContext();
    } catch (Exception e) {
      throw new IllegalStateException("cannot build the SMTP TLS context from quarkus.tls."
          + config.tls().configuration() + ": " + e.getMessage(), e);
    }
  }

  private void bind(SmtpConnection.Listener listener, String host, int port) {
    ServerSocket socket;
    try {
      socket = new ServerSocket();
      socket.setReuseAddress(true);
      socket.bind(new InetSocketAddress(host, port), 1024);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot listen for SMTP (" + listener.kind() + ") on " + host + ":" + port
          + "; is the port in use? Change it in the configuration", e);
    }
    String name = listener.kind().name().toLowerCase();
    Thread acceptor = Thread.ofPlatform().name("smtp-accept-" + name).daemon().unstarted(() -> acceptLoop(listener, socket));
    listeners.put(listener.kind(), new Bound(listener, socket, acceptor));
    acceptor.start();
    // The system test and run scripts look for this line.
    LOG.infof("SMTP listening on %s:%d (%s%s%s)", host, socket.getLocalPort(), name,
        listener.implicitTls() ? ", implicit TLS" : "",
        listener.proxyProtocol() ? ", PROXY v2 from " + trustedProxies.networks() : "");
  }

  /** The port the relay listener is bound to (the real one when configured as 0). */
  public int port() {
    return port(ListenerKind.RELAY);
  }

  /** The port of a listener, or -1 when it is not enabled. */
  public int port(ListenerKind kind) {
    Bound b = listeners.get(kind);
    return b == null ? -1 : b.socket().getLocalPort();
  }

  /** The address the relay listener is bound to. */
  public InetSocketAddress boundAddress() {
    return (InetSocketAddress) listeners.get(ListenerKind.RELAY).socket().getLocalSocketAddress();
  }

  /** True while every listener is open and its accept thread runs (liveness). */
  public boolean accepting() {
    return !listeners.isEmpty() && listeners.values().stream()
        .allMatch(b -> !b.socket().isClosed() && b.acceptor().isAlive());
  }

  /** True once shutdown has begun: readiness reports DOWN so that no new traffic is routed here. */
  public boolean draining() {
    return registry.draining;
  }

  /** Sessions open now. */
  public int sessions() {
    return registry.sessions.size();
  }

  private void acceptLoop(SmtpConnection.Listener listener, ServerSocket server) {
    String name = listener.kind().name().toLowerCase();
    while (!server.isClosed()) {
      Socket socket;
      try {
        socket = server.accept();
      } catch (IOException e) {
        if (!server.isClosed()) {
          LOG.errorf("SMTP accept failed on the %s listener: %s; still listening", name, e.toString());
        }
        continue;
      }
      metrics.sessionOpened(name);
      if (listener.proxyProtocol()) {
        // The header is read on the session's own thread: a slow proxy must not stall accepting.
        Thread.ofVirtual().name("smtp-" + name + "-proxy").start(() -> {
          InetAddress client = proxiedClient(socket, name);
          if (client == null) {
            closeQuietly(socket);
            metrics.sessionClosed();
          } else {
            serve(listener, socket, client);
          }
        });
      } else {
        serve(listener, socket, socket.getInetAddress());
      }
    }
  }

  /**
   * Starts a session for {@code client}: the socket's peer, or the client named by a PROXY header.
   * Connection limits, relay trust, AUTH throttling, the Received header and logs all use it.
   */
  private void serve(SmtpConnection.Listener listener, Socket socket, InetAddress client) {
    String name = listener.kind().name().toLowerCase();
    PolicyDecision admitted = limits.tryAcquire(client);
    if (admitted instanceof PolicyDecision.TempFail(SmtpReply refusal)) {
      Thread.ofVirtual().name("smtp-refuse").start(() -> refuse(socket, refusal, listener.implicitTls()));
      return;
    }
    SessionContext session = new SessionContext(client, listener.kind(), trusted.contains(client), listener.implicitTls());
    SmtpConnection connection = new SmtpConnection(socket, session, services, listener, registry);
    registry.sessions.add(connection);
    Thread.ofVirtual().name("smtp-" + name + "-" + client.getHostAddress()).start(() -> {
      try {
        connection.run();
      } finally {
        limits.release(client);
        metrics.sessionClosed();
      }
    });
  }

  /**
   * On a PROXY listener: the client address from the header, the proxy's own address for a LOCAL
   * header (its health checks), or null when the connection must be closed: the peer is not a
   * trusted proxy, or the header is missing, malformed or late (sluice.ingress.proxy-header-timeout).
   */
  private InetAddress proxiedClient(Socket socket, String listenerName) {
    InetAddress peer = socket.getInetAddress();
    if (!trustedProxies.contains(peer)) {
      metrics.rejected("proxy-untrusted");
      LOG.warnf("SMTP %s: refused a connection from [%s], which is not in sluice.ingress.trusted-proxies; this"
          + " listener expects a PROXY header from a load balancer only", listenerName, peer.getHostAddress());
      return null;
    }
    try {
      return switch (ProxyHeader.read(socket, config.proxyHeaderTimeout())) {
        case ProxyHeader.Result.Proxied p -> p.source().getAddress();
        case ProxyHeader.Result.Local l -> peer;
        case ProxyHeader.Result.Malformed m -> {
          metrics.rejected("proxy-malformed");
          LOG.warnf("SMTP %s: closed a connection from proxy [%s]: bad PROXY v2 header (%s); check that the load"
              + " balancer sends PROXY protocol version 2", listenerName, peer.getHostAddress(), m.why());
          yield null;
        }
      };
    } catch (java.net.SocketTimeoutException e) {
      metrics.rejected("proxy-timeout");
      LOG.warnf("SMTP %s: closed a connection from proxy [%s]: no PROXY header within %s", listenerName,
          peer.getHostAddress(), config.proxyHeaderTimeout());
      return null;
    } catch (IOException e) {
      LOG.debugf("SMTP %s: connection from proxy [%s] lost before its PROXY header: %s", listenerName,
          peer.getHostAddress(), e.toString());
      return null;
    }
  }

  private static void closeQuietly(Socket socket) {
    try {
      socket.close();
    } catch (IOException ignored) {
      // closing anyway
    }
  }

  /**
   * Ends plain-socket reads that passed their timeout (see {@link SmtpConnection#abortIfReadOverdue}),
   * which makes a timeout late by at most a tenth of the shortest one (1 s at most), and closes
   * sessions whose reply has been stuck in a write for longer than the command timeout (a client
   * that does not read). Runs until the shutdown drain has ended every session.
   */
  private void timeoutWatchdog() {
    long limit = config.timeout().command().toNanos();
    long shortest = Math.min(config.timeout().command().toMillis(), config.timeout().data().toMillis());
    long every = Math.max(50, Math.min(1000, shortest / 10));
    // Sessions finishing a transaction during the shutdown drain still need their timeouts.
    while (!registry.draining || !registry.sessions.isEmpty()) {
      try {
        Thread.sleep(every);
      } catch (InterruptedException e) {
        return;
      }
      long now = System.nanoTime();
      for (SmtpConnection s : registry.sessions) {
        if (s.abortIfWriteStuck(now, limit)) {
          LOG.debug("SMTP: closed a session whose client stopped reading replies");
        }
        s.abortIfReadOverdue(now);
      }
    }
  }

  /** Over a connection limit: say 421 (in clear, unless the listener is implicit TLS) and close. */
  private void refuse(Socket socket, SmtpReply reply, boolean implicitTls) {
    try (socket) {
      metrics.rejected("connection-limit");
      if (!implicitTls) {
        socket.setSoTimeout(5000);
        OutputStream out = socket.getOutputStream();
        out.write(reply.toWire());
        out.flush();
      }
    } catch (IOException ignored) {
      // the client is gone already
    } finally {
      metrics.sessionClosed();
    }
  }

  void stop(@Observes ShutdownEvent event) {
    drain();
  }

  /**
   * Stops accepting and drains the sessions as described in the class comment; returns when every
   * session has ended. Called on shutdown; safe to call more than once.
   */
  public void drain() {
    if (listeners.isEmpty() || registry.draining) {
      return;
    }
    registry.draining = true;
    for (Bound b : listeners.values()) {
      try {
        b.socket().close();
      } catch (IOException ignored) {
        // closing anyway
      }
    }
    int open = registry.sessions.size();
    Instant deadline = Instant.now().plus(config.shutdownGrace());
    LOG.infof("SMTP: stopped accepting; draining %d session(s) for up to %s", open, config.shutdownGrace());
    while (!registry.sessions.isEmpty() && Instant.now().isBefore(deadline)) {
      registry.sessions.forEach(s -> s.closeIfIdle(Replies.SHUTTING_DOWN));
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    List<SmtpConnection> left = new ArrayList<>(registry.sessions);
    left.forEach(s -> s.forceClose(Replies.SHUTTING_DOWN));
    if (!left.isEmpty()) {
      LOG.warnf("SMTP: closed %d session(s) still busy after the grace period; their clients got 421 and keep"
          + " their messages (nothing unacknowledged is lost)", left.size());
    } else {
      LOG.info("SMTP: all sessions drained");
    }
  }

  static String localHostName() {
    try {
      return InetAddress.getLocalHost().getCanonicalHostName();
    } catch (UnknownHostException e) {
      return "localhost";
    }
  }
}
