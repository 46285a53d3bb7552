package io.sluice.schema;

import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * A message on sluice.submitted or a deferred tier: its envelope and its raw RFC 5322 bytes.
 *
 * @param queueId ULID assigned by ingress (see {@link QueueIds})
 * @param reversePath envelope sender without brackets; {@code ""} is the null reverse-path {@code <>}
 * @param content the message with CRLF line ends, dot-unstuffed; never base64 or text-encoded
 * @param attempt delivery attempts already made; 0 on sluice.submitted
 * @param notBefore on a deferred tier, the earliest next attempt; otherwise null
 * @param history earlier attempts for the recipients still pending
 */
public record SubmittedMessage(
    String queueId,
    Instant receivedAt,
    String clientAddress,
    String heloName,
    String reversePath,
    String envid,
    Ret ret,
    boolean smtputf8,
    List<Recipient> recipients,
    byte[] content,
    int attempt,
    Instant notBefore,
    List<Attempt> history) {

  public static final String NULL_SENDER = "";

  public SubmittedMessage {
    Objects.requireNonNull(queueId, "queueId");
    Objects.requireNonNull(receivedAt, "receivedAt");
    Objects.requireNonNull(clientAddress, "clientAddress");
    Objects.requireNonNull(heloName, "heloName");
    Objects.requireNonNull(reversePath, "reversePath");
    Objects.requireNonNull(content, "content");
    recipients = List.copyOf(recipients);
    history = history == null ? List.of() : List.copyOf(history);
    if (recipients.isEmpty()) {
      throw new IllegalArgumentException("a message needs at least one recipient");
    }
  }

  /** A freshly accepted message: no attempts yet, no history. */
  public static SubmittedMessage accepted(
      String queueId,
      Instant receivedAt,
      String clientAddress,
      String heloName,
      String reversePath,
      String envid,
      Ret ret,
      boolean smtputf8,
      List<Recipient> recipients,
      byte[] content) {
    return new SubmittedMessage(
        queueId, receivedAt, clientAddress, heloName, reversePath, envid, ret, smtputf8, recipients,
        content, 0, null, List.of());
  }

  /** True for the null reverse-path: such a message (e.g. a DSN) never gets a DSN itself. */
  public boolean hasNullSender() {
    return reversePath.isEmpty();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SubmittedMessage m
        && smtputf8 == m.smtputf8
        && attempt == m.attempt
        && queueId.equals(m.queueId)
        && receivedAt.equals(m.receivedAt)
        && clientAddress.equals(m.clientAddress)
        && heloName.equals(m.heloName)
        && reversePath.equals(m.reversePath)
        && Objects.equals(envid, m.envid)
        && ret == m.ret
        && recipients.equals(m.recipients)
        && Arrays.equals(content, m.content)
        && Objects.equals(notBefore, m.notBefore)
        && history.equals(m.history);
  }

  @Override
  public int hashCode() {
    return Objects.hash(queueId, attempt, Arrays.hashCode(content));
  }

  @Override
  public String toString() {
    return "SubmittedMessage[queueId=" + queueId + ", from=<" + reversePath + ">, rcpts="
        + recipients.size() + ", bytes=" + content.length + ", attempt=" + attempt + "]";
  }
}
