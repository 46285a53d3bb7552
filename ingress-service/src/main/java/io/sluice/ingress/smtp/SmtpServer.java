package io.sluice.ingress.smtp;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.sluice.ingress.IngressConfig;
import io.sluice.ingress.IngressMetrics;
import io.sluice.ingress.policy.RecipientPolicy;
import io.sluice.ingress.policy.TrustedNetworks;
import io.sluice.ingress.publish.KafkaReadiness;
import io.sluice.ingress.publish.QueueWriter;
import io.sluice.schema.QueueIds;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.UnknownHostException;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.logging.Logger;

/**
 * The SMTP listener. Binds at startup ({@code sluice.ingress.host}:{@code sluice.ingress.port}; port 0
 * picks a free one, read it back with {@link #port()}), runs each session on its own virtual thread,
 * and drains on shutdown:
 *
 * <ol>
 *   <li>stop accepting (the listening socket is closed);
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

  private final IngressConfig config;
  private final QueueWriter queue;
  private final KafkaReadiness readiness;
  private final IngressMetrics metrics;
  private final Registry registry = new Registry();
  private ServerSocket listener;
  private Thread acceptThread;
  private SmtpConnection.Services services;
  private TrustedNetworks trusted;

  SmtpServer(IngressConfig config, QueueWriter queue, KafkaReadiness readiness, IngressMetrics metrics) {
    this.config = config;
    this.queue = queue;
    this.readiness = readiness;
    this.metrics = metrics;
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

  void start(@Observes StartupEvent event) {
    String hostname = config.hostname().filter(h -> !h.isBlank()).orElseGet(SmtpServer::localHostName);
    trusted = TrustedNetworks.parse(config.trustedNetworks());
    SmtpProtocol protocol = new SmtpProtocol(
        SmtpSettings.relay(hostname, config.maxMessageSize()), new RecipientPolicy(config.maxRecipients()));
    services = new SmtpConnection.Services(protocol, new CommandParser(), queue, readiness, metrics, new QueueIds(),
        config.timeout().command(), config.timeout().data(), config.maxBadCommands());
    try {
      listener = new ServerSocket();
      listener.setReuseAddress(true);
      listener.bind(new InetSocketAddress(config.host(), config.port()), 1024);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot listen for SMTP on " + config.host() + ":" + config.port()
          + " (is the port in use? set sluice.ingress.port)", e);
    }
    LOG.infof("SMTP listening on %s:%d (hostname %s, SIZE %d, trusted networks %s)", config.host(), port(), hostname,
        config.maxMessageSize(), trusted.networks());
    acceptThread = Thread.ofPlatform().name("smtp-accept").daemon().start(this::acceptLoop);
  }

  /** The port the relay listener is bound to (the real one when configured as 0). */
  public int port() {
    return listener.getLocalPort();
  }

  /** True while the listener is open and accepting (liveness). */
  public boolean accepting() {
    return listener != null && !listener.isClosed() && acceptThread != null && acceptThread.isAlive();
  }

  /** Sessions open now. */
  public int sessions() {
    return registry.sessions.size();
  }

  /** The address the relay listener is bound to. */
  public InetSocketAddress boundAddress() {
    return (InetSocketAddress) listener.getLocalSocketAddress();
  }

  private void acceptLoop() {
    while (!listener.isClosed()) {
      Socket socket;
      try {
        socket = listener.accept();
      } catch (IOException e) {
        if (!listener.isClosed()) {
          LOG.errorf("SMTP accept failed: %s; still listening", e.toString());
        }
        continue;
      }
      InetAddress client = socket.getInetAddress();
      SessionContext session = new SessionContext(client, ListenerKind.RELAY, trusted.contains(client), false);
      SmtpConnection connection = new SmtpConnection(socket, session, services, registry);
      registry.sessions.add(connection);
      metrics.sessionOpened(ListenerKind.RELAY.name().toLowerCase());
      Thread.ofVirtual().name("smtp-" + client.getHostAddress()).start(() -> {
        try {
          connection.run();
        } finally {
          metrics.sessionClosed();
        }
      });
    }
  }

  void stop(@Observes ShutdownEvent event) {
    if (listener == null) {
      return;
    }
    registry.draining = true;
    try {
      listener.close();
    } catch (IOException ignored) {
      // closing anyway
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
    int cut = 0;
    for (SmtpConnection s : registry.sessions) {
      s.forceClose(Replies.SHUTTING_DOWN);
      cut++;
    }
    if (cut > 0) {
      LOG.warnf("SMTP: closed %d session(s) still busy after the grace period; their clients got 421 and keep"
          + " their messages (nothing unacknowledged is lost)", cut);
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
