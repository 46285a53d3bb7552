package io.sluice.ingress.smtp;

/**
 * Where a session stands in RFC 5321 §4.1.4's command order:
 *
 * <pre>
 *   Connected ──EHLO/HELO──▶ Ready ──MAIL──▶ InTransaction ──RCPT──▶ InTransaction ──DATA/BDAT LAST──▶ Ready
 *                              ▲                   │
 *                              └──────RSET─────────┘     (EHLO/HELO from any state: Ready, transaction dropped)
 * </pre>
 *
 * STARTTLS sends a session back to {@link Connected} (RFC 3207 §4.2: the client must EHLO again).
 */
public sealed interface SessionState {
  record Connected() implements SessionState {}

  record Ready(Greeting greeting) implements SessionState {}

  record InTransaction(Greeting greeting, Transaction transaction) implements SessionState {}

  SessionState CONNECTED = new Connected();

  /** The state after RSET or a finished transaction: keep the greeting, drop the transaction. */
  default SessionState reset() {
    return switch (this) {
      case Connected c -> c;
      case Ready r -> r;
      case InTransaction t -> new Ready(t.greeting());
    };
  }
}
