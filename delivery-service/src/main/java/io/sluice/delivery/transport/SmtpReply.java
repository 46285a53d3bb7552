package io.sluice.delivery.transport;

import io.sluice.schema.RemoteReply;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One SMTP reply as read from the wire (RFC 5321 §4.2): a three-digit code and one or more text
 * lines, with the RFC 3463 enhanced status code split off when the server sent one.
 */
public record SmtpReply(int code, String enhancedStatus, List<String> lines) {
  private static final Pattern ENHANCED = Pattern.compile("^([245])\\.(\\d{1,3})\\.(\\d{1,3})(?:\\s+|$)");

  public SmtpReply {
    lines = List.copyOf(lines);
  }

  /** Builds a reply from raw lines without their code prefix, e.g. {@code "2.1.5 Ok"}. */
  static SmtpReply of(int code, List<String> texts) {
    String status = null;
    List<String> stripped = new java.util.ArrayList<>(texts.size());
    for (String text : texts) {
      Matcher m = ENHANCED.matcher(text);
      // RFC 3463 §2: the class of the enhanced code must agree with the first digit of the reply.
      if (m.find() && m.group(1).charAt(0) - '0' == code / 100) {
        if (status == null) {
          status = m.group(1) + "." + m.group(2) + "." + m.group(3);
        }
        stripped.add(text.substring(m.end()));
      } else {
        stripped.add(text);
      }
    }
    return new SmtpReply(code, status, stripped);
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
