package io.sluice.ingress.smtp;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * The {@code Received:} trace field ingress prepends (RFC 5321 §4.4, syntax RFC 5321 §4.4
 * "Time-stamp-line"):
 *
 * <pre>
 * Received: from client.example ([192.0.2.1])
 *         by relay.example (Sluice) with ESMTP id 01JABC...
 *         for &lt;rcpt@example.org&gt;; Mon, 23 Nov 2026 12:00:00 +0000
 * </pre>
 *
 * The "for" clause is written only for a single recipient, so that one recipient does not learn the
 * others' addresses. No reverse DNS: the TCP-info is the address literal alone.
 */
public final class ReceivedHeader {
  private static final DateTimeFormatter DATE =
      DateTimeFormatter.ofPattern("EEE, d MMM yyyy HH:mm:ss Z", Locale.ROOT);

  private ReceivedHeader() {}

  /**
   * @param protocol RFC 3848 / RFC 6531 "with" keyword, see {@link #protocol}
   * @param singleRecipient the only recipient, or null
   */
  public static byte[] build(
      String helo, InetAddress client, String byHost, String protocol, String queueId,
      String singleRecipient, ZonedDateTime at) {
    StringBuilder h = new StringBuilder(256);
    h.append("Received: from ").append(sanitize(helo)).append(" (").append(addressLiteral(client)).append(")\r\n");
    h.append("\tby ").append(byHost).append(" (Sluice) with ").append(protocol).append(" id ").append(queueId);
    if (singleRecipient != null) {
      h.append("\r\n\tfor <").append(sanitize(singleRecipient)).append('>');
    }
    h.append(";\r\n\t").append(DATE.format(at)).append("\r\n");
    return h.toString().getBytes(StandardCharsets.UTF_8);
  }

  /**
   * The "with" protocol keyword: SMTP or ESMTP, with S for TLS and A for AUTH (RFC 3848), UTF8 forms
   * for SMTPUTF8 transactions (RFC 6531 §4.3).
   */
  public static String protocol(boolean esmtp, boolean smtputf8, boolean tls, boolean auth) {
    if (!esmtp) {
      return "SMTP";
    }
    String base = smtputf8 ? "UTF8SMTP" : "ESMTP";
    return base + (tls ? "S" : "") + (auth ? "A" : "");
  }

  static String addressLiteral(InetAddress address) {
    return address instanceof Inet6Address
        ? "[IPv6:" + address.getHostAddress().replaceFirst("%.*$", "") + "]"
        : "[" + address.getHostAddress() + "]";
  }

  /**
   * The HELO name and addresses come from the client: keep only characters that cannot break the
   * header's structure (comments, angle brackets, the ';' before the date, line ends).
   */
  static String sanitize(String s) {
    StringBuilder out = new StringBuilder(s.length());
    s.codePoints().forEach(c -> {
      boolean ok = c > 0x20 && c != 0x7f && c != '(' && c != ')' && c != '<' && c != '>' && c != ';' && c != '\\'
          && c != '"';
      out.appendCodePoint(ok ? c : '?');
    });
    return out.toString();
  }
}
