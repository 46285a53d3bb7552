package io.sluice.delivery.transport;

import io.sluice.delivery.outcome.Replies;
import io.sluice.delivery.route.TargetHost;
import io.sluice.schema.Notify;
import io.sluice.schema.Recipient;
import io.sluice.schema.RemoteReply;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import javax.net.ssl.SSLSocketFactory;
import org.jboss.logging.Logger;

/**
 * A blocking SMTP client (RFC 5321), one transaction per call, reusing pooled sessions.
 *
 * <p>Lifecycle of a call: try the hosts in order, and each host's addresses. For an address, take
 * an idle session from the pool and RSET it, or connect: greeting → EHLO (HELO if EHLO is refused).
 * Then MAIL → RCPT per recipient (pipelined when offered) → DATA. A connection failure, a non-220
 * greeting, or a 421 at any step moves on to the next address or host (RFC 5321 §5.1); any other
 * reply is final for this attempt and is reported per recipient. A session that ended its
 * transaction cleanly goes back to the pool; anything else is closed. The caller gets a reply for
 * every recipient it passed in, always.
 *
 * <p>Thread-safe; meant to be called from virtual threads.
 */
public final class SmtpClient {
  private static final Logger LOG = Logger.getLogger(SmtpClient.class);

  private final String heloName;
  private final SmtpTimeouts timeouts;
  private final ConnectionPool pool;
  private final SSLSocketFactory tls;
  private final Consumer<TlsOutcome> tlsOutcomes;

  /** @param tlsOutcomes told what came of STARTTLS on each new connection whose policy allows TLS */
  public SmtpClient(String heloName, SmtpTimeouts timeouts, ConnectionPool pool, SSLSocketFactory tls,
      Consumer<TlsOutcome> tlsOutcomes) {
    this.heloName = heloName;
    this.timeouts = timeouts;
    this.pool = pool;
    this.tls = tls;
    this.tlsOutcomes = tlsOutcomes;
  }

  public SmtpClient(String heloName, SmtpTimeouts timeouts, ConnectionPool pool, SSLSocketFactory tls) {
    this(heloName, timeouts, pool, tls, outcome -> {});
  }

  public SmtpClient(String heloName, SmtpTimeouts timeouts, ConnectionPool pool) {
    this(heloName, timeouts, pool, Tls.unverifiedClientFactory());
  }

  public SmtpClient(String heloName, SmtpTimeouts timeouts) {
    this(heloName, timeouts, ConnectionPool.none());
  }

  public ConnectionPool pool() {
    return pool;
  }

  /** Delivers with opportunistic TLS. */
  public TransactionResult deliver(List<TargetHost> hosts, Envelope envelope) {
    return deliver(hosts, envelope, TlsPolicy.OPPORTUNISTIC);
  }

  public TransactionResult deliver(List<TargetHost> hosts, Envelope envelope, TlsPolicy policy) {
    RemoteReply last = null;
    String lastMta = null;
    for (TargetHost host : hosts) {
      for (InetAddress address : host.addresses()) {
        InetSocketAddress socketAddress = new InetSocketAddress(address, host.port());
        String label = host.name() + "[" + address.getHostAddress() + "]:" + host.port();
        Step step = onAddress(host.name(), socketAddress, label, envelope, policy);
        switch (step) {
          case Step.Done done -> {
            return done.result();
          }
          case Step.NextHost next -> {
            last = next.reason();
            lastMta = next.remoteMta();
            LOG.debugf("%s: %s; trying the next host", next.remoteMta(), next.reason());
          }
          case Step.Stale stale -> throw new IllegalStateException("stale sessions are retried in onAddress");
        }
      }
    }
    if (last == null) {
      last = Replies.connectFailed(hosts.isEmpty() ? "(no host)" : hosts.getFirst().name(), "no address to try");
    }
    return TransactionResult.all(lastMta, envelope.recipients(), last, false);
  }

  private sealed interface Step {
    record Done(TransactionResult result, boolean reusable) implements Step {}

    record NextHost(RemoteReply reason, String remoteMta) implements Step {}

    /** A pooled session turned out to be dead (RSET failed): try the address again on a new connection. */
    record Stale() implements Step {}
  }

  private sealed interface Opened {
    record Ready(SmtpSession session) implements Opened {}

    record Ended(Step step) implements Opened {}

    /** Opportunistic TLS failed in the handshake: try this address again in plaintext. */
    record RetryPlain() implements Opened {}
  }

  private Step onAddress(String hostName, InetSocketAddress address, String label, Envelope envelope,
      TlsPolicy policy) {
    return onAddress(hostName, address, label, envelope, policy, true);
  }

  private Step onAddress(String hostName, InetSocketAddress address, String label, Envelope envelope,
      TlsPolicy policy, boolean usePool) {
    SmtpSession session = usePool ? pool.take(address) : null;
    if (session != null && policy == TlsPolicy.REQUIRED && !session.connection().isEncrypted()) {
      session.quit(timeouts.command());
      session = null;
    }
    // A reused session starts with RSET (RFC 5321 §4.1.1.5); with PIPELINING it rides along with MAIL.
    boolean needsReset = session != null;
    if (session != null && !session.extensions().pipelining()) {
      needsReset = false;
      if (!reset(session)) {
        session.close();
        session = null;
      }
    }
    if (session == null) {
      SmtpConnection connection;
      try {
        connection = SmtpConnection.open(address, hostName, timeouts.connect());
      } catch (IOException e) {
        return new Step.NextHost(Replies.connectFailed(label, describe(e)), label);
      }
      try {
        switch (openSession(connection, hostName, address, envelope, policy)) {
          case Opened.Ready ready -> session = ready.session();
          case Opened.Ended ended -> {
            connection.close();
            return ended.step();
          }
          case Opened.RetryPlain retry -> {
            connection.close();
            LOG.infof("TLS handshake with %s failed; delivering in plaintext (opportunistic TLS)", label);
            return onAddress(hostName, address, label, envelope, TlsPolicy.NONE, false);
          }
        }
      } catch (IOException e) {
        connection.close();
        return new Step.NextHost(Replies.connectionLost(connection.remote(), describe(e)), connection.remote());
      }
    }
    try {
      Step step = transaction(session, envelope, label, needsReset);
      if (step instanceof Step.Done done && done.reusable()) {
        pool.give(session);
      } else {
        session.close();
      }
      if (step instanceof Step.Stale) {
        return onAddress(hostName, address, label, envelope, policy, false);
      }
      return step;
    } catch (IOException e) {
      // Lost or timed out mid-transaction: the outcome is unknown, so the next host (or a later
      // retry) gets the message again. At-least-once: a rare duplicate beats a lost message.
      session.close();
      return new Step.NextHost(Replies.connectionLost(label, describe(e)), label);
    }
  }

  /** RSET on a pooled session; false when it no longer works (the server timed it out, say). */
  private boolean reset(SmtpSession session) {
    try {
      session.connection().send("RSET", timeouts.command());
      return session.connection().readReply(timeouts.command()).code() == 250;
    } catch (IOException e) {
      return false;
    }
  }

  /** Greeting, EHLO (or HELO), and STARTTLS as the policy asks: a ready session, or how this address ended. */
  private Opened openSession(SmtpConnection c, String hostName, InetSocketAddress address, Envelope envelope,
      TlsPolicy policy) throws IOException {
    String mta = c.remote();
    SmtpReply greeting = c.readReply(timeouts.greeting());
    if (greeting.code() != 220) {
      // RFC 5321 §3.1: a 554 greeting means no service here; 4xx means not now. Either way try the
      // next host, as Postfix does (smtp_skip_5xx_greeting).
      quietQuit(c);
      return next(greeting.toRemoteReply(), mta);
    }
    c.send("EHLO " + heloName, timeouts.command());
    SmtpReply ehlo = c.readReply(timeouts.command());
    if (ehlo.isServiceClosing()) {
      return next(ehlo.toRemoteReply(), mta);
    }
    if (!ehlo.isPositive()) {
      if (policy != TlsPolicy.NONE) {
        tlsOutcomes.accept(TlsOutcome.NOT_OFFERED);
      }
      if (policy == TlsPolicy.REQUIRED) { // STARTTLS needs EHLO
        quietQuit(c);
        return next(Replies.tlsUnavailable(mta, "it does not support EHLO"), mta);
      }
      // RFC 5321 §3.2: a server that does not know EHLO answers 5xx; fall back to HELO.
      c.send("HELO " + heloName, timeouts.command());
      SmtpReply helo = c.readReply(timeouts.command());
      if (helo.isServiceClosing()) {
        return next(helo.toRemoteReply(), mta);
      }
      if (!helo.isPositive()) {
        quietQuit(c);
        return new Opened.Ended(
            new Step.Done(TransactionResult.all(mta, envelope.recipients(), helo.toRemoteReply(), true), false));
      }
      return new Opened.Ready(new SmtpSession(c, ServerExtensions.NONE, address, pool.counter()));
    }
    ServerExtensions ext = ServerExtensions.fromEhlo(ehlo);
    if (policy != TlsPolicy.NONE && ext.offers("STARTTLS")) {
      c.send("STARTTLS", timeouts.command());
      SmtpReply start = c.readReply(timeouts.command());
      if (start.code() == 220) {
        try {
          c.startTls(tls, hostName, timeouts.command());
        } catch (IOException e) {
          tlsOutcomes.accept(TlsOutcome.HANDSHAKE_FAILED);
          if (policy == TlsPolicy.REQUIRED) {
            return next(Replies.tlsUnavailable(mta, "the TLS handshake failed: " + describe(e)), mta);
          }
          return new Opened.RetryPlain();
        }
        tlsOutcomes.accept(TlsOutcome.NEGOTIATED);
        // RFC 3207 §4.2: after TLS starts, forget what the server said and ask again.
        c.send("EHLO " + heloName, timeouts.command());
        SmtpReply again = c.readReply(timeouts.command());
        if (!again.isPositive()) {
          return next(again.toRemoteReply(), mta);
        }
        ext = ServerExtensions.fromEhlo(again);
        LOG.debugf("TLS with %s: %s", mta, c.tlsDescription());
      } else {
        tlsOutcomes.accept(TlsOutcome.REFUSED);
        if (start.isServiceClosing()) {
          return next(start.toRemoteReply(), mta);
        } else if (policy == TlsPolicy.REQUIRED) {
          quietQuit(c);
          return next(Replies.tlsUnavailable(mta, "it refused STARTTLS: " + start), mta);
        }
        // Opportunistic and refused (454, say): the session is as it was before STARTTLS; go on in plaintext.
      }
    } else if (policy != TlsPolicy.NONE) {
      tlsOutcomes.accept(TlsOutcome.NOT_OFFERED);
      if (policy == TlsPolicy.REQUIRED) {
        quietQuit(c);
        return next(Replies.tlsUnavailable(mta, "it does not offer STARTTLS"), mta);
      }
    }
    return new Opened.Ready(new SmtpSession(c, ext, address, pool.counter()));
  }

  private static Opened next(RemoteReply reason, String mta) {
    return new Opened.Ended(new Step.NextHost(reason, mta));
  }

  /** @param mta the host as routed now ({@code name[address]:port}); a pooled session may have been opened under another name */
  private Step transaction(SmtpSession session, Envelope envelope, String mta, boolean needsReset)
      throws IOException {
    ServerExtensions ext = session.extensions();
    long limit = ext.sizeLimit();
    if (limit > 0 && envelope.content().length > limit) {
      return done(mta, envelope.recipients(), Replies.tooBigForServer(mta, limit, envelope.content().length));
    }
    if (envelope.needsSmtputf8() && !ext.smtputf8()) {
      return done(mta, envelope.recipients(), Replies.smtputf8NotOffered(mta));
    }
    boolean utf8 = (envelope.smtputf8() || envelope.needsSmtputf8()) && ext.smtputf8();
    String mail = mailFrom(envelope, ext, utf8);
    List<String> rcpts = envelope.recipients().stream().map(r -> rcptTo(r, ext)).toList();
    return ext.pipelining()
        ? pipelined(session.connection(), envelope, mta, needsReset, mail, rcpts)
        : stepwise(session.connection(), envelope, mta, mail, rcpts);
  }

  /**
   * RFC 2920: RSET (on a reused session), MAIL, every RCPT and DATA go in one write, and the replies
   * are read in order; then the data, then its reply. Two round trips per message.
   */
  private Step pipelined(SmtpConnection c, Envelope envelope, String mta, boolean needsReset, String mail,
      List<String> rcpts) throws IOException {
    List<String> group = new ArrayList<>();
    if (needsReset) {
      group.add("RSET");
    }
    group.add(mail);
    group.addAll(rcpts);
    group.add("DATA"); // RFC 2920 §3.1: DATA may end a group
    try {
      c.send(group, timeouts.command());
    } catch (IOException e) {
      if (needsReset) {
        return new Step.Stale(); // the server dropped the idle connection meanwhile
      }
      throw e;
    }
    if (needsReset) {
      try {
        if (c.readReply(timeouts.command()).code() != 250) {
          return new Step.Stale();
        }
      } catch (IOException e) {
        return new Step.Stale(); // the server dropped the idle connection meanwhile
      }
    }
    SmtpReply mailReply = c.readReply(timeouts.command());
    List<TransactionResult.RecipientReply> replies = new ArrayList<>();
    SmtpReply closing = mailReply.isServiceClosing() ? mailReply : null;
    boolean anyAccepted = false;
    for (Recipient r : envelope.recipients()) {
      SmtpReply rcpt = c.readReply(timeouts.command());
      if (rcpt.isServiceClosing() && closing == null) {
        closing = rcpt;
      }
      replies.add(new TransactionResult.RecipientReply(r, rcpt.toRemoteReply()));
      anyAccepted |= rcpt.isPositive();
    }
    SmtpReply data = c.readReply(timeouts.dataStart());
    boolean send = mailReply.isPositive() && anyAccepted && closing == null;
    if (data.code() == 354) {
      // RFC 2920 §3.1: DATA accepted although nothing should be sent: send an empty message.
      c.write(send ? DotStuffing.stuff(envelope.content()) : new byte[] {'.', '\r', '\n'}, timeouts.dataBlock());
      SmtpReply end = c.readReply(timeouts.dataDone());
      if (!send) {
        return closing != null ? new Step.NextHost(closing.toRemoteReply(), mta)
            : done(mta, envelope.recipients(), mailReply.isPositive() ? null : mailReply.toRemoteReply(), replies);
      }
      if (end.isServiceClosing()) {
        return new Step.NextHost(end.toRemoteReply(), mta);
      }
      return new Step.Done(new TransactionResult(mta, replaceAccepted(replies, end.toRemoteReply()), true), true);
    }
    if (closing != null || data.isServiceClosing()) {
      return new Step.NextHost((closing != null ? closing : data).toRemoteReply(), mta);
    }
    if (!mailReply.isPositive()) {
      return done(mta, envelope.recipients(), mailReply.toRemoteReply());
    }
    return new Step.Done(new TransactionResult(mta, anyAccepted ? replaceAccepted(replies, data.toRemoteReply())
        : replies, true), true);
  }

  private static Step done(String mta, List<Recipient> recipients, RemoteReply mailReply,
      List<TransactionResult.RecipientReply> replies) {
    return mailReply == null ? new Step.Done(new TransactionResult(mta, replies, true), true)
        : done(mta, recipients, mailReply);
  }

  /** Without PIPELINING: one command, one reply (RFC 5321 §4.3). */
  private Step stepwise(SmtpConnection c, Envelope envelope, String mta, String mail, List<String> rcpts)
      throws IOException {
    c.send(mail, timeouts.command());
    SmtpReply mailReply = c.readReply(timeouts.command());
    if (mailReply.isServiceClosing()) {
      return new Step.NextHost(mailReply.toRemoteReply(), mta);
    }
    if (!mailReply.isPositive()) {
      return done(mta, envelope.recipients(), mailReply.toRemoteReply());
    }
    List<TransactionResult.RecipientReply> replies = new ArrayList<>();
    boolean anyAccepted = false;
    for (int i = 0; i < envelope.recipients().size(); i++) {
      c.send(rcpts.get(i), timeouts.command());
      SmtpReply rcpt = c.readReply(timeouts.command());
      if (rcpt.isServiceClosing()) {
        return new Step.NextHost(rcpt.toRemoteReply(), mta);
      }
      replies.add(new TransactionResult.RecipientReply(envelope.recipients().get(i), rcpt.toRemoteReply()));
      anyAccepted |= rcpt.isPositive();
    }
    if (!anyAccepted) {
      return new Step.Done(new TransactionResult(mta, replies, true), true);
    }
    c.send("DATA", timeouts.command());
    SmtpReply data = c.readReply(timeouts.dataStart());
    if (data.isServiceClosing()) {
      return new Step.NextHost(data.toRemoteReply(), mta);
    }
    if (data.code() != 354) {
      return new Step.Done(new TransactionResult(mta, replaceAccepted(replies, data.toRemoteReply()), true), true);
    }
    c.write(DotStuffing.stuff(envelope.content()), timeouts.dataBlock());
    SmtpReply end = c.readReply(timeouts.dataDone());
    if (end.isServiceClosing()) {
      return new Step.NextHost(end.toRemoteReply(), mta);
    }
    return new Step.Done(new TransactionResult(mta, replaceAccepted(replies, end.toRemoteReply()), true), true);
  }

  /** After DATA, the reply to the data applies to every recipient that RCPT accepted. */
  private static List<TransactionResult.RecipientReply> replaceAccepted(
      List<TransactionResult.RecipientReply> replies, RemoteReply dataReply) {
    return replies.stream()
        .map(r -> r.reply().isPositive() ? new TransactionResult.RecipientReply(r.recipient(), dataReply) : r)
        .toList();
  }

  private static Step done(String mta, List<Recipient> recipients, RemoteReply reply) {
    return new Step.Done(TransactionResult.all(mta, recipients, reply, true), true);
  }

  private static String mailFrom(Envelope envelope, ServerExtensions ext, boolean smtputf8) {
    StringBuilder cmd = new StringBuilder("MAIL FROM:<").append(envelope.reversePath()).append('>');
    if (ext.offers("SIZE")) {
      cmd.append(" SIZE=").append(envelope.content().length); // RFC 1870 §6
    }
    // RFC 6152 §3. Without 8BITMIME offered the bytes go as they are (as Postfix does by default);
    // converting to 7bit would change what ingress stored.
    if (ext.eightBitMime() && envelope.has8bitContent()) {
      cmd.append(" BODY=8BITMIME");
    }
    if (smtputf8) {
      cmd.append(" SMTPUTF8"); // RFC 6531 §3.4
    }
    if (ext.dsn()) { // RFC 3461 §4.3, §4.4: pass the client's parameters on
      if (envelope.ret() != null) {
        cmd.append(" RET=").append(envelope.ret().name());
      }
      if (envelope.envid() != null) {
        cmd.append(" ENVID=").append(Xtext.encode(envelope.envid()));
      }
    }
    return cmd.toString();
  }

  private static String rcptTo(Recipient r, ServerExtensions ext) {
    StringBuilder cmd = new StringBuilder("RCPT TO:<").append(r.address()).append('>');
    if (ext.dsn()) {
      if (!r.notifyOn().isEmpty()) {
        cmd.append(" NOTIFY=").append(r.notifyOn().contains(Notify.NEVER) ? "NEVER"
            : r.notifyOn().stream().sorted().map(Enum::name).collect(Collectors.joining(",")));
      }
      if (r.orcpt() != null) {
        int semi = r.orcpt().indexOf(';');
        if (semi > 0) {
          cmd.append(" ORCPT=").append(r.orcpt(), 0, semi).append(';')
              .append(Xtext.encode(r.orcpt().substring(semi + 1)));
        }
      }
    }
    return cmd.toString();
  }

  private void quietQuit(SmtpConnection c) {
    try {
      c.send("QUIT", timeouts.command());
      Duration wait = Duration.ofSeconds(5).compareTo(timeouts.command()) < 0 ? Duration.ofSeconds(5) : timeouts.command();
      c.readReply(wait);
    } catch (IOException ignored) {
      // the session is over either way
    }
  }

  private static String describe(IOException e) {
    if (e instanceof SocketTimeoutException) {
      return "timed out" + (e.getMessage() == null ? "" : " (" + e.getMessage() + ")");
    }
    String msg = e.getMessage();
    return (msg == null ? e.getClass().getSimpleName() : msg).toLowerCase(Locale.ROOT).contains("refused")
        ? "connection refused" : e.getClass().getSimpleName() + (msg == null ? "" : ": " + msg);
  }
}
