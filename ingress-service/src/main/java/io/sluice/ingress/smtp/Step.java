package io.sluice.ingress.smtp;

/**
 * What the session does after one command: send {@code reply}, move to {@code next}, then do
 * {@code action} (which needs I/O the pure state machine does not own). {@code reply} is null only
 * when the action itself talks to the client (AUTH exchanges).
 */
public record Step(SmtpReply reply, SessionState next, Action action) {
  public static Step reply(SmtpReply reply, SessionState next) {
    return new Step(reply, next, Action.NONE);
  }

  /** I/O the connection performs after sending the reply. */
  public sealed interface Action {
    Action NONE = new Continue();
    Action CLOSE = new Close();

    record Continue() implements Action {}

    record Close() implements Action {}

    /** Read message content up to CRLF.CRLF (RFC 5321 §4.1.1.4), then finish the transaction. */
    record ReceiveData(Transaction transaction) implements Action {}

    /** Read exactly {@code size} octets of a chunk (RFC 3030 §2). */
    record ReceiveChunk(Transaction transaction, long size, boolean last) implements Action {}

    /** Read and throw away {@code size} octets of a refused BDAT, to stay in step (RFC 3030 §2). */
    record DiscardChunk(long size) implements Action {}

    /** Throw away buffered input and start the TLS handshake (RFC 3207 §4.2, CVE-2011-0411). */
    record StartTls() implements Action {}

    /** Run a SASL exchange (RFC 4954). */
    record Authenticate(String mechanism, String initialResponse) implements Action {}
  }
}
