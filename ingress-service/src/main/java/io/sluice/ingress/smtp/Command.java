package io.sluice.ingress.smtp;

import java.util.Map;

/**
 * One SMTP command line, parsed (RFC 5321 §4.1.1). {@link CommandParser} produces these at the edge;
 * nothing after it looks at raw command text. Syntax errors are values too ({@link Malformed}), so
 * that the session replies with the parser's exact reason.
 */
public sealed interface Command {
  record Ehlo(String domain) implements Command {}

  record Helo(String domain) implements Command {}

  /**
   * @param params ESMTP parameters, keys upper-cased, values as sent (still xtext-encoded); a
   *     keyword without a value maps to {@code ""}
   */
  record MailFrom(ReversePath from, Map<String, String> params) implements Command {
    public MailFrom {
      params = Map.copyOf(params);
    }
  }

  record RcptTo(ForwardPath to, Map<String, String> params) implements Command {
    public RcptTo {
      params = Map.copyOf(params);
    }
  }

  record Data() implements Command {}

  /** RFC 3030 §2: {@code BDAT size [LAST]}; exactly {@code size} octets follow the command line. */
  record Bdat(long size, boolean last) implements Command {}

  record Rset() implements Command {}

  record Noop() implements Command {}

  record Quit() implements Command {}

  record Vrfy(String argument) implements Command {}

  record Help(String topic) implements Command {}

  record StartTls() implements Command {}

  /** RFC 4954 §4: {@code AUTH mechanism [initial-response]}; the response is null when absent. */
  record Auth(String mechanism, String initialResponse) implements Command {}

  /** A known command Sluice deliberately does not implement (EXPN, TURN, ETRN, ...). */
  record NotImplemented(String verb) implements Command {}

  record Unknown(String verb) implements Command {}

  /** A recognised verb with bad arguments; {@code reply} says what was wrong. */
  record Malformed(String verb, SmtpReply reply) implements Command {}
}
