package io.sluice.ingress.smtp;

import io.sluice.ingress.policy.PolicyDecision;
import io.sluice.ingress.policy.RecipientPolicy;
import io.sluice.ingress.policy.SenderPolicy;
import io.sluice.schema.Notify;
import io.sluice.schema.Recipient;
import io.sluice.schema.Ret;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The SMTP session state machine: given the current {@link SessionState} and a parsed
 * {@link Command}, decide the reply, the next state and any I/O to do next. Pure: no sockets, no
 * Kafka, so every rule here is unit-tested directly.
 *
 * <p>Command order follows RFC 5321 §4.1.4; out-of-order commands get {@code 503 5.5.1}.
 */
public final class SmtpProtocol {
  /** RFC 3461 §4.4: ENVID is at most 100 characters. */
  static final int MAX_ENVID = 100;
  /** RFC 3461 §4.2: ORCPT is at most 500 characters. */
  static final int MAX_ORCPT = 500;

  private final SmtpSettings settings;
  private final RecipientPolicy recipients;
  private final SenderPolicy senders;

  public SmtpProtocol(SmtpSettings settings, RecipientPolicy recipients, SenderPolicy senders) {
    this.settings = settings;
    this.recipients = recipients;
    this.senders = senders;
  }

  public SmtpSettings settings() {
    return settings;
  }

  /** The 220 greeting (RFC 5321 §4.3.1): our domain first, then free text. */
  public SmtpReply greeting() {
    return SmtpReply.bare(220, List.of(settings.hostname() + " ESMTP Sluice"));
  }

  public Step handle(SessionContext session, SessionState state, Command command) {
    return switch (command) {
      case Command.Ehlo e -> Step.reply(ehloReply(session), new SessionState.Ready(new Greeting(e.domain(), true)));
      case Command.Helo h ->
          Step.reply(SmtpReply.bare(250, List.of(settings.hostname())), new SessionState.Ready(new Greeting(h.domain(), false)));
      case Command.MailFrom m -> mail(session, state, m);
      case Command.RcptTo r -> rcpt(session, state, r);
      case Command.Data d -> data(state);
      case Command.Bdat b -> bdat(state, b);
      case Command.Rset r -> Step.reply(Replies.RESET_OK, state.reset());
      case Command.Noop n -> Step.reply(Replies.NOOP_OK, state);
      case Command.Quit q -> new Step(Replies.BYE, state, Step.Action.CLOSE);
      case Command.Vrfy v -> Step.reply(Replies.CANNOT_VRFY, state);
      case Command.Help h -> Step.reply(Replies.HELP, state);
      case Command.StartTls s -> startTls(session, state);
      case Command.Auth a -> auth(session, state, a);
      case Command.NotImplemented n -> Step.reply(Replies.NOT_IMPLEMENTED, state);
      case Command.Unknown u -> Step.reply(Replies.UNRECOGNIZED, state);
      case Command.Malformed m -> Step.reply(m.reply(), state);
    };
  }

  /** The EHLO reply: our name, then one extension keyword per line (RFC 5321 §4.1.1.1). */
  SmtpReply ehloReply(SessionContext session) {
    List<String> lines = new ArrayList<>();
    lines.add(settings.hostname());
    lines.add("PIPELINING");
    lines.add("SIZE " + settings.maxMessageSize());
    lines.add("8BITMIME");
    lines.add("SMTPUTF8");
    lines.add("DSN");
    lines.add("ENHANCEDSTATUSCODES");
    lines.add("CHUNKING");
    if (settings.startTls() && !session.tls()) {
      lines.add("STARTTLS");
    }
    // RFC 4954 §4 and RFC 8314: offer AUTH only over TLS, so passwords never cross in clear.
    if (session.tls() && !settings.authMechanisms().isEmpty()) {
      lines.add("AUTH " + String.join(" ", settings.authMechanisms()));
    }
    return SmtpReply.bare(250, lines);
  }

  private Step mail(SessionContext session, SessionState state, Command.MailFrom m) {
    Greeting greeting;
    switch (state) {
      case SessionState.Connected c -> {
        return Step.reply(Replies.NEED_HELO, state);
      }
      case SessionState.InTransaction t -> {
        return Step.reply(Replies.NESTED_MAIL, state);
      }
      case SessionState.Ready r -> greeting = r.greeting();
    }
    if (settings.requireAuth() && !session.authenticated()) {
      return Step.reply(session.tls() ? Replies.AUTH_REQUIRED : Replies.ENCRYPTION_REQUIRED, state);
    }
    long size = -1;
    boolean smtputf8 = false;
    Ret ret = null;
    String envid = null;
    for (Map.Entry<String, String> p : m.params().entrySet()) {
      String value = p.getValue();
      switch (p.getKey()) {
        case "SIZE" -> {
          // RFC 1870 §6: refuse at MAIL when the declared size is already over the limit.
          if (!value.matches("[0-9]{1,18}")) {
            return Step.reply(Replies.BAD_SYNTAX.withText("Error: bad SIZE parameter"), state);
          }
          size = Long.parseLong(value);
          if (size > settings.maxMessageSize()) {
            return Step.reply(Replies.MESSAGE_TOO_BIG, state);
          }
        }
        case "BODY" -> {
          // RFC 6152: 8BITMIME. BINARYMIME (RFC 3030) is not offered.
          String body = value.toUpperCase(Locale.ROOT);
          if (!body.equals("7BIT") && !body.equals("8BITMIME")) {
            return Step.reply(Replies.PARAM_NOT_IMPLEMENTED.withText("Error: BODY=" + body + " not supported"), state);
          }
        }
        case "SMTPUTF8" -> {
          if (!value.isEmpty()) {
            return Step.reply(Replies.BAD_SYNTAX.withText("Error: SMTPUTF8 takes no value"), state);
          }
          smtputf8 = true;
        }
        case "RET" -> {
          try {
            ret = Ret.valueOf(value.toUpperCase(Locale.ROOT));
          } catch (IllegalArgumentException e) {
            return Step.reply(Replies.BAD_SYNTAX.withText("Error: RET must be FULL or HDRS"), state);
          }
        }
        case "ENVID" -> {
          try {
            envid = Xtext.decode(value);
          } catch (IllegalArgumentException e) {
            return Step.reply(Replies.BAD_SYNTAX.withText("Error: ENVID is not valid xtext"), state);
          }
          if (value.length() > MAX_ENVID) {
            return Step.reply(Replies.BAD_SYNTAX.withText("Error: ENVID longer than 100 characters"), state);
          }
        }
        case "AUTH" -> {
          // RFC 4954 §5: the AUTH= MAIL parameter is optional to honour; accepted and ignored.
        }
        default -> {
          return Step.reply(Replies.UNKNOWN_PARAMETER.withText("Error: unsupported MAIL parameter " + p.getKey()), state);
        }
      }
    }
    if (m.from() instanceof ReversePath.Of(Mailbox mailbox) && !mailbox.isAscii() && !smtputf8) {
      return Step.reply(Replies.UTF8_NOT_ANNOUNCED, state);
    }
    PolicyDecision sender = senders.check(session, m.from());
    if (sender instanceof PolicyDecision.Reject(SmtpReply reply)) {
      return Step.reply(reply, state);
    }
    if (sender instanceof PolicyDecision.TempFail(SmtpReply reply)) {
      return Step.reply(reply, state);
    }
    Transaction tx = Transaction.start(m.from(), size, smtputf8, ret, envid);
    return Step.reply(Replies.SENDER_OK, new SessionState.InTransaction(greeting, tx));
  }

  private Step rcpt(SessionContext session, SessionState state, Command.RcptTo r) {
    if (!(state instanceof SessionState.InTransaction(Greeting greeting, Transaction tx))) {
      return Step.reply(state instanceof SessionState.Connected ? Replies.NEED_HELO : Replies.NEED_MAIL, state);
    }
    Set<Notify> notify = EnumSet.noneOf(Notify.class);
    String orcpt = null;
    for (Map.Entry<String, String> p : r.params().entrySet()) {
      String value = p.getValue();
      switch (p.getKey()) {
        case "NOTIFY" -> {
          notify = parseNotify(value);
          if (notify == null) {
            return Step.reply(Replies.BAD_SYNTAX.withText(
                "Error: NOTIFY must be NEVER or a list of SUCCESS, FAILURE, DELAY"), state);
          }
        }
        case "ORCPT" -> {
          orcpt = parseOrcpt(value);
          if (orcpt == null) {
            return Step.reply(Replies.BAD_SYNTAX.withText("Error: ORCPT must be addr-type;xtext"), state);
          }
        }
        default -> {
          return Step.reply(Replies.UNKNOWN_PARAMETER.withText("Error: unsupported RCPT parameter " + p.getKey()), state);
        }
      }
    }
    if (r.to() instanceof ForwardPath.Of(Mailbox mailbox) && !mailbox.isAscii() && !tx.smtputf8()) {
      return Step.reply(Replies.UTF8_NOT_ANNOUNCED, state);
    }
    PolicyDecision decision = recipients.check(session, tx, r.to());
    return switch (decision) {
      case PolicyDecision.Reject(SmtpReply reply) ->
          Step.reply(reply, new SessionState.InTransaction(greeting, tx.withRejectedRecipient()));
      case PolicyDecision.TempFail(SmtpReply reply) ->
          Step.reply(reply, new SessionState.InTransaction(greeting, tx.withRejectedRecipient()));
      case PolicyDecision.Accept a -> accept(greeting, tx, r.to(), notify, orcpt);
      case PolicyDecision.NoOpinion n -> accept(greeting, tx, r.to(), notify, orcpt);
    };
  }

  private Step accept(Greeting greeting, Transaction tx, ForwardPath to, Set<Notify> notify, String orcpt) {
    String address = switch (to) {
      case ForwardPath.Of(Mailbox mailbox) -> mailbox.toString();
      // Only accepted when an address is configured (RecipientPolicy); delivery routes it like any other.
      case ForwardPath.Postmaster p -> recipients.postmasterAddress().orElseThrow().toString();
    };
    Transaction next = tx.withRecipient(new Recipient(address, notify, orcpt));
    return Step.reply(Replies.RECIPIENT_OK, new SessionState.InTransaction(greeting, next));
  }

  /** RFC 3461 §4.1: "NEVER", or a comma list of SUCCESS, FAILURE, DELAY. Null when invalid. */
  static Set<Notify> parseNotify(String value) {
    Set<Notify> out = EnumSet.noneOf(Notify.class);
    for (String part : value.split(",", -1)) {
      try {
        out.add(Notify.valueOf(part.toUpperCase(Locale.ROOT)));
      } catch (IllegalArgumentException e) {
        return null;
      }
    }
    if (out.contains(Notify.NEVER) && out.size() > 1) {
      return null;
    }
    return out;
  }

  /** RFC 3461 §4.2: {@code addr-type ";" xtext}; returned decoded. Null when invalid. */
  static String parseOrcpt(String value) {
    int semi = value.indexOf(';');
    if (semi <= 0 || semi == value.length() - 1 || value.length() > MAX_ORCPT) {
      return null;
    }
    String type = value.substring(0, semi);
    if (!type.matches("[A-Za-z0-9-]+")) {
      return null;
    }
    try {
      // RFC 6533 utf-8-addr-xtext uses \x{..} escapes, but "rfc822;" values are plain xtext.
      return type + ";" + Xtext.decode(value.substring(semi + 1));
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  private Step data(SessionState state) {
    return switch (state) {
      case SessionState.Connected c -> Step.reply(Replies.NEED_HELO, state);
      case SessionState.Ready r -> Step.reply(Replies.NEED_MAIL, state);
      case SessionState.InTransaction t when t.transaction().recipients().isEmpty() ->
          Step.reply(t.transaction().rejectedRecipients() > 0 ? Replies.NO_VALID_RECIPIENTS : Replies.NEED_RCPT, state);
      case SessionState.InTransaction t when t.transaction().chunked() -> Step.reply(Replies.DATA_AFTER_BDAT, state);
      case SessionState.InTransaction t -> new Step(Replies.START_DATA, state, new Step.Action.ReceiveData(t.transaction()));
    };
  }

  /**
   * RFC 3030 §2: the octets of a BDAT follow its command line whatever the reply, so a refused BDAT
   * still has its chunk read and thrown away; otherwise the chunk would be read as commands.
   */
  private Step bdat(SessionState state, Command.Bdat b) {
    Step.Action discard = new Step.Action.DiscardChunk(b.size());
    return switch (state) {
      case SessionState.Connected c -> new Step(Replies.NEED_HELO, state, discard);
      case SessionState.Ready r -> new Step(Replies.NEED_MAIL, state, discard);
      case SessionState.InTransaction t when t.transaction().recipients().isEmpty() -> new Step(
          t.transaction().rejectedRecipients() > 0 ? Replies.NO_VALID_RECIPIENTS : Replies.NEED_RCPT, state, discard);
      case SessionState.InTransaction(Greeting greeting, Transaction tx) -> new Step(null,
          new SessionState.InTransaction(greeting, tx.withChunking()),
          new Step.Action.ReceiveChunk(tx.withChunking(), b.size(), b.last()));
    };
  }

  private Step startTls(SessionContext session, SessionState state) {
    if (!settings.startTls()) {
      return Step.reply(Replies.NOT_IMPLEMENTED, state);
    }
    if (session.tls()) {
      return Step.reply(Replies.ALREADY_TLS, state);
    }
    if (state instanceof SessionState.InTransaction) {
      return Step.reply(Replies.NESTED_MAIL.withText("Error: STARTTLS inside a mail transaction"), state);
    }
    // RFC 3207 §4.2: after the handshake the client starts over with EHLO.
    return new Step(Replies.START_TLS, SessionState.CONNECTED, new Step.Action.StartTls());
  }

  private Step auth(SessionContext session, SessionState state, Command.Auth a) {
    if (settings.authMechanisms().isEmpty() || !session.tls()) {
      // Not advertised without TLS (RFC 4954 §4): a client that tries anyway gets 502 or 538.
      return Step.reply(settings.authMechanisms().isEmpty() ? Replies.NOT_IMPLEMENTED
          : new SmtpReply(538, "5.7.11", "Encryption required for requested authentication mechanism"), state);
    }
    if (state instanceof SessionState.Connected) {
      return Step.reply(Replies.NEED_HELO, state);
    }
    if (state instanceof SessionState.InTransaction) {
      return Step.reply(Replies.NESTED_MAIL.withText("Error: AUTH not allowed during a mail transaction"), state);
    }
    if (session.authenticated()) {
      return Step.reply(Replies.ALREADY_AUTHENTICATED, state);
    }
    if (!settings.authMechanisms().contains(a.mechanism())) {
      return Step.reply(Replies.AUTH_MECHANISM_UNKNOWN, state);
    }
    return new Step(null, state, new Step.Action.Authenticate(a.mechanism(), a.initialResponse()));
  }
}
