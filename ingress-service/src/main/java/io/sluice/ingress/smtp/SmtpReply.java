package io.sluice.ingress.smtp;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * One SMTP reply: a code, an enhanced status (RFC 2034) and one or more text lines. Standard
 * replies are named in {@link Replies}; command code never builds reply strings by hand.
 *
 * <p>{@code status} is null only where RFC 2034 §3 and the reply's own grammar forbid it: the 220
 * greeting (its first word must be the server's domain, RFC 5321 §4.2), the replies to HELO/EHLO
 * (EHLO lines are extension keywords), and the 3xx intermediate replies of DATA and AUTH (334 carries
 * only base64, RFC 4954 §4). Use {@link #bare} for those.
 */
public record SmtpReply(int code, EnhancedStatus status, List<String> lines) {
  public SmtpReply {
    if (code < 200 || code > 599) {
      throw new IllegalArgumentException("reply code out of range: " + code);
    }
    lines = List.copyOf(lines);
    if (lines.isEmpty()) {
      throw new IllegalArgumentException("a reply needs at least one line of text");
    }
    if (status != null && code / 100 != status.klass()) {
      throw new IllegalArgumentException("code " + code + " and status " + status + " disagree");
    }
    for (String line : lines) {
      if (line.indexOf('\r') >= 0 || line.indexOf('\n') >= 0) {
        throw new IllegalArgumentException("reply text must not contain CR or LF");
      }
    }
  }

  public SmtpReply(int code, EnhancedStatus status, String text) {
    this(code, status, List.of(text));
  }

  public SmtpReply(int code, String status, String text) {
    this(code, EnhancedStatus.of(status), List.of(text));
  }

  /** A reply without an enhanced status code; see the class comment for where that is right. */
  public static SmtpReply bare(int code, List<String> lines) {
    return new SmtpReply(code, null, lines);
  }

  public boolean isPositive() {
    return code < 400;
  }

  public boolean isTransient() {
    return code >= 400 && code < 500;
  }

  public boolean isPermanent() {
    return code >= 500;
  }

  /** Same code and status, different text: for replies that name the mailbox or queue id. */
  public SmtpReply withText(String text) {
    return new SmtpReply(code, status, List.of(text));
  }

  /** The reply as sent: {@code 250-2.0.0 first} ... {@code 250 2.0.0 last}, each line ending CRLF. */
  public byte[] toWire() {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < lines.size(); i++) {
      out.append(code).append(i == lines.size() - 1 ? ' ' : '-');
      // RFC 2034 §3: the enhanced code leads every line of a multi-line reply.
      if (status != null) {
        out.append(status).append(' ');
      }
      out.append(lines.get(i)).append("\r\n");
    }
    return out.toString().getBytes(StandardCharsets.UTF_8);
  }

  @Override
  public String toString() {
    return code + (status == null ? "" : " " + status) + " " + String.join(" / ", lines);
  }
}
