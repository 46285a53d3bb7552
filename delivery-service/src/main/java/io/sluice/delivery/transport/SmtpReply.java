package io.sluice.delivery.transport;

import io.sluice.schema.RemoteReply;
import java.util.List;

/**
 * One SMTP reply as read from the wire (RFC 5321 §4.2): a three-digit code and one or more text
 * lines, with the RFC 3463 enhanced status code split off when the server sent one.
 */
public record SmtpReply(int code, String enhancedStatus, List<String> lines) {
  public SmtpReply {
    lines = List.copyOf(lines);
  }

  /** Builds a reply from raw lines without their code prefix, e.g. {@code "2.1.5 Ok"}. */
  static SmtpReply of(int code, List<String> texts) {
    String status = null;
    List<String> stripped = new java.util.ArrayList<>(texts.size());
    for (String text : texts) {
      int end = enhancedStatusEnd(text, code / 100);
      if (end > 0) {
        if (status == null) {
          status = text.substring(0, end);
        }
        stripped.add(text.substring(skipSpace(text, end)));
      } else {
        stripped.add(text);
      }
    }
    return new SmtpReply(code, status, stripped);
  }

  /**
   * Where a leading RFC 3463 code ({@code class.subject.detail}, each of 1 to 3 digits, followed by
   * white space or the end) ends, or 0 when the text has none. RFC 3463 §2: its class must be 2, 4 or
   * 5 and agree with the first digit of the reply. Hand-written: every reply line of every
   * transaction goes through it, and a regular expression cost a matcher per line.
   */
  static int enhancedStatusEnd(String text, int replyClass) {
    if (text.length() < 5 || text.charAt(0) - '0' != replyClass || (replyClass != 2 && replyClass != 4
        && replyClass != 5) || text.charAt(1) != '.') {
      return 0;
    }
    int subjectEnd = digitsEnd(text, 2);
    if (subjectEnd == 0 || subjectEnd == text.length() || text.charAt(subjectEnd) != '.') {
      return 0;
    }
    int detailEnd = digitsEnd(text, subjectEnd + 1);
    if (detailEnd == 0 || detailEnd < text.length() && !isSpace(text.charAt(detailEnd))) {
      return 0;
    }
    return detailEnd;
  }

  /** The end of the 1 to 3 digits at {@code from}, or 0 when there are none or more than 3. */
  private static int digitsEnd(String text, int from) {
    int i = from;
    while (i < text.length() && text.charAt(i) >= '0' && text.charAt(i) <= '9') {
      i++;
    }
    return i == from || i - from > 3 ? 0 : i;
  }

  private static int skipSpace(String text, int from) {
    int i = from;
    while (i < text.length() && isSpace(text.charAt(i))) {
      i++;
    }
    return i;
  }

  private static boolean isSpace(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == 0x0B;
  }

  public boolean isPositive() {
    return code >= 200 && code < 400;
  }

  public boolean isTransient() {
    return code >= 400 && code < 500;
  }

  public boolean isPermanent() {
    return code >= 500;
  }

  /** 421: the server is closing the channel (RFC 5321 §3.8); try another host. */
  public boolean isServiceClosing() {
    return code == 421;
  }

  public String text() {
    return String.join(" ", lines).strip();
  }

  public RemoteReply toRemoteReply() {
    return new RemoteReply(code, enhancedStatus, text());
  }

  @Override
  public String toString() {
    return enhancedStatus == null ? code + " " + text() : code + " " + enhancedStatus + " " + text();
  }
}
