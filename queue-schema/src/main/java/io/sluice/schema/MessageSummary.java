package io.sluice.schema;

import java.time.Instant;
import java.util.Arrays;
import java.util.Objects;

/**
 * What bounce-service needs to know about a message to track it and to write a DSN, without the
 * body. Carried on RECEIVED, BOUNCED and EXPIRED events.
 *
 * @param reversePath {@code ""} is the null reverse-path
 * @param messageId the Message-ID header field value, or null when the message has none
 * @param size octets of content
 * @param headers the header section, ending with the blank line, for RET=HDRS
 */
public record MessageSummary(
    String reversePath,
    String envid,
    Ret ret,
    String messageId,
    long size,
    Instant receivedAt,
    String clientAddress,
    byte[] headers) {

  public MessageSummary {
    Objects.requireNonNull(reversePath, "reversePath");
    Objects.requireNonNull(receivedAt, "receivedAt");
    Objects.requireNonNull(clientAddress, "clientAddress");
    Objects.requireNonNull(headers, "headers");
  }

  public boolean hasNullSender() {
    return reversePath.isEmpty();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof MessageSummary m
        && size == m.size
        && reversePath.equals(m.reversePath)
        && Objects.equals(envid, m.envid)
        && ret == m.ret
        && Objects.equals(messageId, m.messageId)
        && receivedAt.equals(m.receivedAt)
        && clientAddress.equals(m.clientAddress)
        && Arrays.equals(headers, m.headers);
  }

  @Override
  public int hashCode() {
    return Objects.hash(reversePath, messageId, size, receivedAt);
  }

  @Override
  public String toString() {
    return "MessageSummary[from=<" + reversePath + ">, messageId=" + messageId + ", size=" + size + "]";
  }
}
