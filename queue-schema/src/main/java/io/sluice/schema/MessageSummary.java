package io.sluice.schema;

import java.time.Instant;
import java.util.Arrays;
import java.util.Objects;

/**
 * What bounce-service needs to know about a message to track it and to write a DSN. Carried on
 * RECEIVED, BOUNCED and EXPIRED events; the body only where a DSN may return it.
 *
 * @param reversePath {@code ""} is the null reverse-path
 * @param messageId the Message-ID header field value, or null when the message has none
 * @param size octets of content
 * @param headers the header section, ending with the blank line, for RET=HDRS
 * @param content the whole message, for a DSN with RET=FULL (message/rfc822); null on every other
 *     event, and on events written with schema version 1
 */
public record MessageSummary(
    String reversePath,
    String envid,
    Ret ret,
    String messageId,
    long size,
    Instant receivedAt,
    String clientAddress,
    byte[] headers,
    byte[] content) {

  public MessageSummary {
    Objects.requireNonNull(reversePath, "reversePath");
    Objects.requireNonNull(receivedAt, "receivedAt");
    Objects.requireNonNull(clientAddress, "clientAddress");
    Objects.requireNonNull(headers, "headers");
  }

  /** A summary without the body, as every event except a RET=FULL failure carries. */
  public MessageSummary(String reversePath, String envid, Ret ret, String messageId, long size, Instant receivedAt,
      String clientAddress, byte[] headers) {
    this(reversePath, envid, ret, messageId, size, receivedAt, clientAddress, headers, null);
  }

  /** The same summary carrying the whole message. */
  public MessageSummary withContent(byte[] fullMessage) {
    return new MessageSummary(reversePath, envid, ret, messageId, size, receivedAt, clientAddress, headers,
        fullMessage);
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
        && Arrays.equals(headers, m.headers)
        && Arrays.equals(content, m.content);
  }

  @Override
  public int hashCode() {
    return Objects.hash(reversePath, messageId, size, receivedAt);
  }

  @Override
  public String toString() {
    return "MessageSummary[from=<" + reversePath + ">, messageId=" + messageId + ", size=" + size
        + (content == null ? "" : ", with content") + "]";
  }
}
