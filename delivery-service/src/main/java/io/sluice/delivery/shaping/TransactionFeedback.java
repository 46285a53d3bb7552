package io.sluice.delivery.shaping;

/** What a finished transaction tells a destination's window and breaker. */
public enum TransactionFeedback {
  /** A server answered at least one recipient for good (2xx or 5xx): the destination works. */
  ANSWERED,
  /**
   * A server was reached but deferred every recipient (4xx to MAIL, to every RCPT, or to the data).
   * One such transaction says little (greylisting, a full mailbox); a run of them means the
   * destination refuses mail for now, and each further try only costs a transaction.
   */
  TEMPFAILED,
  /** No server took the transaction: connection failures, timeouts, 421, refused greetings. */
  UNREACHABLE
}
