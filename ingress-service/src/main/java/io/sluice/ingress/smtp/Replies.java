package io.sluice.ingress.smtp;

/**
 * Every standard reply Sluice's SMTP server sends, in one place. Codes follow RFC 5321 §4.2; enhanced
 * status codes follow RFC 3463 and the RFC 5248 registry. Replies that must name something (a
 * mailbox, a queue id, the server's host name) are templates whose text is set with
 * {@link SmtpReply#withText(String)} by the code that knows the value.
 */
public final class Replies {
  private Replies() {}

  // 2xx
  public static final SmtpReply OK = new SmtpReply(250, "2.0.0", "Ok");
  public static final SmtpReply SENDER_OK = new SmtpReply(250, "2.1.0", "Ok");
  public static final SmtpReply RECIPIENT_OK = new SmtpReply(250, "2.1.5", "Ok");
  /** Text is set to "Ok: queued as &lt;id&gt;" once the broker acknowledged (DESIGN contract 1). */
  public static final SmtpReply QUEUED = new SmtpReply(250, "2.0.0", "Ok: queued");
  public static final SmtpReply RESET_OK = new SmtpReply(250, "2.0.0", "Ok");
  public static final SmtpReply NOOP_OK = new SmtpReply(250, "2.0.0", "Ok");
  public static final SmtpReply BYE = new SmtpReply(221, "2.0.0", "Bye");
  /** RFC 5321 §3.5.3: a server that does not verify answers 252 and still accepts the mail. */
  public static final SmtpReply CANNOT_VRFY =
      new SmtpReply(252, "2.0.0", "Cannot VRFY user, but will accept message and attempt delivery");
  public static final SmtpReply HELP = new SmtpReply(214, "2.0.0",
      "Commands: EHLO HELO MAIL RCPT DATA BDAT RSET NOOP QUIT VRFY HELP STARTTLS AUTH; see RFC 5321");
  public static final SmtpReply START_TLS = new SmtpReply(220, "2.0.0", "Ready to start TLS");
  public static final SmtpReply AUTH_OK = new SmtpReply(235, "2.7.0", "Authentication successful");
  /** Text is set to "Ok: &lt;n&gt; octets received" (RFC 3030 §2 example replies). */
  public static final SmtpReply CHUNK_OK = new SmtpReply(250, "2.0.0", "Ok: chunk received");

  // 3xx
  public static final SmtpReply START_DATA =
      SmtpReply.bare(354, java.util.List.of("End data with <CR><LF>.<CR><LF>"));

  // 4xx
  public static final SmtpReply SHUTTING_DOWN = new SmtpReply(421, "4.3.2",
      "Service shutting down, closing transmission channel; try again later");
  public static final SmtpReply QUEUE_UNAVAILABLE = new SmtpReply(421, "4.3.0",
      "Service not available: the mail queue (Kafka) is unreachable; try again later");
  public static final SmtpReply TIMEOUT =
      new SmtpReply(421, "4.4.2", "Error: timeout exceeded, closing connection");
  public static final SmtpReply TOO_MANY_ERRORS =
      new SmtpReply(421, "4.7.0", "Error: too many errors, closing connection");
  public static final SmtpReply TOO_MANY_CONNECTIONS = new SmtpReply(421, "4.7.0",
      "Error: too many connections; try again later");
  public static final SmtpReply TOO_MANY_CONNECTIONS_FROM_YOU = new SmtpReply(421, "4.7.0",
      "Error: too many connections from your address; try again later");
  /** Sent when the broker did not acknowledge in time; the client keeps the message (contract 1). */
  public static final SmtpReply PUBLISH_FAILED = new SmtpReply(451, "4.3.0",
      "Error: queue write failed, message not accepted; please try again later");
  public static final SmtpReply INSUFFICIENT_STORAGE = new SmtpReply(452, "4.3.1",
      "Error: insufficient system storage (too many messages in transit); nothing was queued, try again later");
  public static final SmtpReply TOO_MANY_RECIPIENTS =
      new SmtpReply(452, "4.5.3", "Error: too many recipients");
  /** RFC 4954 §6. */
  public static final SmtpReply AUTH_THROTTLED = new SmtpReply(454, "4.7.0",
      "Temporary authentication failure: too many failed attempts from your address; try again later");
  public static final SmtpReply TLS_UNAVAILABLE =
      new SmtpReply(454, "4.7.0", "TLS not available due to temporary reason");

  // 5xx: syntax and sequence (RFC 5321 §4.2.4, §4.3.2)
  public static final SmtpReply UNRECOGNIZED =
      new SmtpReply(500, "5.5.1", "Error: command not recognized");
  public static final SmtpReply COMMAND_TOO_LONG =
      new SmtpReply(500, "5.5.2", "Error: command line too long");
  public static final SmtpReply BAD_SYNTAX = new SmtpReply(501, "5.5.2", "Error: syntax error");
  public static final SmtpReply BAD_ADDRESS_SYNTAX =
      new SmtpReply(501, "5.1.3", "Error: bad address syntax");
  public static final SmtpReply NOT_IMPLEMENTED =
      new SmtpReply(502, "5.5.1", "Error: command not implemented");
  public static final SmtpReply NEED_HELO =
      new SmtpReply(503, "5.5.1", "Error: send HELO/EHLO first");
  public static final SmtpReply NEED_MAIL = new SmtpReply(503, "5.5.1", "Error: need MAIL command");
  public static final SmtpReply NESTED_MAIL = new SmtpReply(503, "5.5.1", "Error: nested MAIL command");
  public static final SmtpReply NEED_RCPT = new SmtpReply(503, "5.5.1", "Error: need RCPT command");
  public static final SmtpReply DATA_AFTER_BDAT =
      new SmtpReply(503, "5.5.1", "Error: DATA not allowed after BDAT in one transaction");
  public static final SmtpReply BDAT_SYNTAX_LOST = new SmtpReply(501, "5.5.4",
      "Error: BDAT syntax error; cannot find the end of the chunk, closing connection");
  public static final SmtpReply ALREADY_TLS = new SmtpReply(503, "5.5.1", "Error: TLS already active");
  public static final SmtpReply PARAM_NOT_IMPLEMENTED =
      new SmtpReply(504, "5.5.4", "Error: parameter not implemented");
  public static final SmtpReply UNKNOWN_PARAMETER =
      new SmtpReply(555, "5.5.4", "Error: unsupported MAIL/RCPT parameter");
  /** RFC 2920 §3.1: DATA after every RCPT of a pipelined group failed. */
  public static final SmtpReply NO_VALID_RECIPIENTS =
      new SmtpReply(554, "5.5.1", "Error: no valid recipients");

  // 5xx: policy and content
  public static final SmtpReply RELAY_DENIED = new SmtpReply(554, "5.7.1", "Relay access denied");
  public static final SmtpReply MESSAGE_TOO_BIG =
      new SmtpReply(552, "5.3.4", "Error: message size exceeds fixed maximum message size");
  public static final SmtpReply BARE_NEWLINE = new SmtpReply(554, "5.5.2",
      "Error: message rejected: bare <CR> or <LF> in message content; every line must end with"
          + " <CR><LF> (RFC 5321 §2.3.8). Nothing was queued");
  public static final SmtpReply LINE_TOO_LONG = new SmtpReply(554, "5.6.0",
      "Error: message rejected: a line is longer than 1000 octets including <CR><LF>"
          + " (RFC 5321 §4.5.3.1.6). Nothing was queued");
  public static final SmtpReply UTF8_NOT_ANNOUNCED = new SmtpReply(553, "5.6.7",
      "Error: non-ASCII address needs the SMTPUTF8 parameter on MAIL (RFC 6531)");
  public static final SmtpReply NO_LOCAL_MAILBOXES = new SmtpReply(550, "5.1.1",
      "Error: this relay has no local mailboxes; address the postmaster of a domain");
  public static final SmtpReply ENCRYPTION_REQUIRED =
      new SmtpReply(530, "5.7.0", "Must issue a STARTTLS command first");
  public static final SmtpReply AUTH_REQUIRED =
      new SmtpReply(530, "5.7.0", "Authentication required");
  public static final SmtpReply TOO_MANY_AUTH_FAILURES =
      new SmtpReply(421, "4.7.0", "Error: too many failed authentication attempts, closing connection");
  public static final SmtpReply AUTH_BAD_BASE64 =
      new SmtpReply(501, "5.5.2", "Error: authentication data is not valid base64");
  public static final SmtpReply TLS_HANDSHAKE_FAILED =
      new SmtpReply(421, "4.7.0", "Error: TLS handshake failed, closing connection");
  public static final SmtpReply AUTH_FAILED =
      new SmtpReply(535, "5.7.8", "Error: authentication failed");
  public static final SmtpReply AUTH_CANCELLED =
      new SmtpReply(501, "5.7.0", "Authentication cancelled");
  public static final SmtpReply AUTH_MECHANISM_UNKNOWN =
      new SmtpReply(504, "5.5.4", "Error: unsupported authentication mechanism");
  public static final SmtpReply ALREADY_AUTHENTICATED =
      new SmtpReply(503, "5.5.1", "Error: already authenticated");
  public static final SmtpReply AUTH_LINE_TOO_LONG =
      new SmtpReply(500, "5.5.6", "Error: authentication exchange line too long");
  public static final SmtpReply SENDER_NOT_OWNED = new SmtpReply(553, "5.7.1",
      "Error: sender address not allowed for the authenticated user");
}
