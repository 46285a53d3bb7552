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
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;

/**
 * A blocking SMTP client (RFC 5321) for one transaction per call. Lifecycle of a call: try the
 * hosts in order; on each, greeting → EHLO (HELO if EHLO is refused) → MAIL → RCPT per recipient
 * → DATA → QUIT. A connection failure, a 4xx or 5xx greeting, or a 421 at any step moves on to the
 * next host (RFC 5321 §5.1); any other reply is final for this attempt and is reported per
 * recipient. The caller gets a reply for every recipient it passed in, always.
 *
 * <p>Thread-safe; meant to be called from virtual threads.
 */
public final class SmtpClient {
  private static final Logger LOG = Logger.getLogger(SmtpClient.class);

  private final String heloName;
  private final SmtpTimeouts timeouts;

  public SmtpClient(String heloName, SmtpTimeouts timeouts) {
    this.heloName = heloName;
    this.timeouts = timeouts;
  }

  public TransactionResult deliver(List<TargetHost> hosts, Envelope envelope) {
    RemoteReply last = null;
    String lastMta = null;
    for (TargetHost host : hosts) {
      for (InetAddress address : host.addresses()) {
        InetSocketAddress socketAddress = new InetSocketAddress(address, host.port());
        String label = host.name() + "[" + address.getHostAddress() + "]:" + host.port();
        SmtpConnection connection;
        try {
          connection = SmtpConnection.open(socketAddress, host.name(), timeouts.connect());
        } catch (IOException e) {
          last = Replies.connectFailed(label, describe(e));
          lastMta = label;
          LOG.debugf("connect to %s failed: %s; trying the next host", label, e);
          continue;
        }
        try (connection) {
          Step step = transaction(connection, envelope);
          switch (step) {
            case Step.Done done -> {
              return done.result();
            }
            case Step.NextHost next -> {
              last = next.reason();
              lastMta = connection.remote();
              LOG.debugf("%s answered %s; trying the next host", connection.remote(), next.reason());
            }
          }
        } catch (IOException e) {
          // Lost or timed out mid-transaction: the outcome is unknown, so the next host (or a later
          // retry) gets the message again. At-least-once: a rare duplicate beats a lost message.
          last = Replies.connectionLost(connection.remote(), describe(e));
          lastMta = connection.remote();
          LOG.debugf("connection to %s failed during the transaction: %s", connection.remote(), e);
        }
      }
    }
    if (last == null) {
      last = Replies.connectFailed(hosts.isEmpty() ? "(no host)" : hosts.getFirst().name(), "no address to try");
    }
    return TransactionResult.all(lastMta, envelope.recipients(), last);
  }

  private sealed interface Step {
    record Done(TransactionResult result) implements Step {}

    record NextHost(RemoteReply reason) implements Step {}
  }

  private Step transaction(SmtpConnection c, Envelope envelope) throws IOException {
    String mta = c.remote();
    SmtpReply greeting = c.readReply(timeouts.greeting());
    if (greeting.code() != 220) {
      // RFC 5321 §3.1: a 554 greeting means no service here; 4xx means not now. Either way try the
      // next host, as Postfix does (smtp_skip_5xx_greeting).
      quietQuit(c);
      return new Step.NextHost(greeting.toRemoteReply());
    }

    ServerExtensions ext;
    c.send("EHLO " + heloName, timeouts.command());
    SmtpReply ehlo = c.readReply(timeouts.command());
    if (ehlo.isServiceClosing()) {
      return new Step.NextHost(ehlo.toRemoteReply());
    }
    if (ehlo.isPositive()) {
      ext = ServerExtensions.fromEhlo(ehlo);
    } else {
      // RFC 5321 §3.2: a server that does not know EHLO answers 5xx; fall back to HELO.
      c.send("HELO " + heloName, timeouts.command());
      SmtpReply helo = c.readReply(timeouts.command());
      if (helo.isServiceClosing()) {
        return new Step.NextHost(helo.toRemoteReply());
      }
      if (!helo.isPositive()) {
        quietQuit(c);
        return done(mta, envelope.recipients(), helo.toRemoteReply());
      }
      ext = ServerExtensions.NONE;
    }

    long limit = ext.sizeLimit();
    if (limit > 0 && envelope.content().length > limit) {
      quietQuit(c);
      return done(mta, envelope.recipients(), Replies.tooBigForServer(mta, limit, envelope.content().length));
    }
    boolean utf8 = envelope.smtputf8() || envelope.needsSmtputf8();
    if (envelope.needsSmtputf8() && !ext.smtputf8()) {
      quietQuit(c);
      return done(mta, envelope.recipients(), Replies.smtputf8NotOffered(mta));
    }

    List<String> commands = new ArrayList<>();
    commands.add(mailFrom(envelope, ext, utf8 && ext.smtputf8()));
    for (Recipient r : envelope.recipients()) {
      commands.add(rcptTo(r, ext));
    }
    // RFC 2920 §3.1: with PIPELINING, MAIL and the RCPTs go in one write; replies come back in order.
    if (ext.pipelining()) {
      c.send(commands, timeouts.command());
    } else {
      c.send(commands.getFirst(), timeouts.command());
    }
    SmtpReply mail = c.readReply(timeouts.command());
    if (mail.isServiceClosing()) {
      return new Step.NextHost(mail.toRemoteReply());
    }
    List<TransactionResult.RecipientReply> replies = new ArrayList<>();
    List<Recipient> accepted = new ArrayList<>();
    if (!mail.isPositive()) {
      if (ext.pipelining()) {
        // The pipelined RCPTs were answered too (with 503 most likely); read them off the wire.
        for (int i = 0; i < envelope.recipients().size(); i++) {
          c.readReply(timeouts.command());
        }
      }
      quietQuit(c);
      return done(mta, envelope.recipients(), mail.toRemoteReply());
    }
    for (int i = 0; i < envelope.recipients().size(); i++) {
      Recipient r = envelope.recipients().get(i);
      if (!ext.pipelining()) {
        c.send(commands.get(i + 1), timeouts.command());
      }
      SmtpReply rcpt = c.readReply(timeouts.command());
      if (rcpt.isServiceClosing()) {
        return new Step.NextHost(rcpt.toRemoteReply());
      }
      replies.add(new TransactionResult.RecipientReply(r, rcpt.toRemoteReply()));
      if (rcpt.isPositive()) {
        accepted.add(r);
      }
    }
    if (accepted.isEmpty()) {
      quietQuit(c);
      return new Step.Done(new TransactionResult(mta, replies));
    }

    c.send("DATA", timeouts.command());
    SmtpReply data = c.readReply(timeouts.dataStart());
    if (data.isServiceClosing()) {
      return new Step.NextHost(data.toRemoteReply());
    }
    if (data.code() != 354) {
      quietQuit(c);
      return new Step.Done(new TransactionResult(mta, replaceAccepted(replies, data.toRemoteReply())));
    }
    c.write(DotStuffing.stuff(envelope.content()), timeouts.dataBlock());
    SmtpReply done = c.readReply(timeouts.dataDone());
    if (done.isServiceClosing()) {
      return new Step.NextHost(done.toRemoteReply());
    }
    quietQuit(c);
    return new Step.Done(new TransactionResult(mta, replaceAccepted(replies, done.toRemoteReply())));
  }

  /** After DATA, the reply to the data applies to every recipient that RCPT accepted. */
  private static List<TransactionResult.RecipientReply> replaceAccepted(
      List<TransactionResult.RecipientReply> replies, RemoteReply dataReply) {
    return replies.stream()
        .map(r -> r.reply().isPositive() ? new TransactionResult.RecipientReply(r.recipient(), dataReply) : r)
        .toList();
  }

  private static Step done(String mta, List<Recipient> recipients, RemoteReply reply) {
    return new Step.Done(TransactionResult.all(mta, recipients, reply));
  }

  private static String mailFrom(Envelope envelope, ServerExtensions ext, boolean smtputf8) {
    StringBuilder cmd = new StringBuilder("MAIL FROM:<").append(envelope.reversePath()).append('>');
    if (ext.offers("SIZE")) {
      cmd.append(" SIZE=").append(envelope.content().length); // RFC 1870 §6
    }
    if (ext.eightBitMime() && envelope.has8bitContent()) {
      cmd.append(" BODY=8BITMIME"); // RFC 6152 §3
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
      c.readReply(java.time.Duration.ofSeconds(5).compareTo(timeouts.command()) < 0
          ? java.time.Duration.ofSeconds(5) : timeouts.command());
    } catch (IOException ignored) {
      // the transaction is over either way
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
