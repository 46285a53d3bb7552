package io.sluice.ingress.smtp;

import java.nio.charset.StandardCharsets;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * RFC 6409 §8.2 and §8.3: a submission server may add a missing {@code Date:} and
 * {@code Message-ID:}. Used on the submission listeners only; the relay listener never changes
 * content beyond its Received header.
 */
public final class SubmissionHeaders {
  private static final DateTimeFormatter DATE =
      DateTimeFormatter.ofPattern("EEE, d MMM yyyy HH:mm:ss Z", Locale.ROOT);

  private SubmissionHeaders() {}

  /** The header fields to put in front of {@code content}; empty when both are present. */
  public static byte[] missing(byte[] content, String queueId, String hostname, ZonedDateTime now) {
    HeaderSection headers = new HeaderSection(content);
    StringBuilder add = new StringBuilder();
    if (!headers.has("Date")) {
      add.append("Date: ").append(DATE.format(now)).append("\r\n");
    }
    if (!headers.has("Message-ID")) {
      add.append("Message-ID: <").append(queueId).append('@').append(hostname).append(">\r\n");
    }
    return add.toString().getBytes(StandardCharsets.US_ASCII);
  }
}
