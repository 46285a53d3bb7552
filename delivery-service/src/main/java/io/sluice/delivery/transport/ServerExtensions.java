package io.sluice.delivery.transport;

import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** What the server offered in its EHLO reply (RFC 5321 §4.1.1.1); empty after HELO. */
public record ServerExtensions(Map<String, String> keywords) {
  public static final ServerExtensions NONE = new ServerExtensions(Map.of());

  public ServerExtensions {
    keywords = Map.copyOf(keywords);
  }

  /** Parses the EHLO reply: the first line is the greeting, every further line one keyword and its parameters. */
  static ServerExtensions fromEhlo(SmtpReply reply) {
    Map<String, String> keywords = new HashMap<>();
    List<String> lines = reply.lines();
    for (int i = 1; i < lines.size(); i++) {
      String line = lines.get(i).strip();
      if (line.isEmpty()) {
        continue;
      }
      int space = line.indexOf(' ');
      String keyword = (space < 0 ? line : line.substring(0, space)).toUpperCase(Locale.ROOT);
      keywords.put(keyword, space < 0 ? "" : line.substring(space + 1).strip());
    }
    return new ServerExtensions(keywords);
  }

  public boolean offers(String keyword) {
    return keywords.containsKey(keyword);
  }

  public boolean pipelining() {
    return offers("PIPELINING");
  }

  public boolean eightBitMime() {
    return offers("8BITMIME");
  }

  public boolean smtputf8() {
    return offers("SMTPUTF8");
  }

  public boolean dsn() {
    return offers("DSN");
  }

  /** RFC 1870 §4: SIZE with a number is the server's fixed limit; SIZE alone or 0 means no stated limit. */
  public long sizeLimit() {
    String value = keywords.get("SIZE");
    if (value == null || value.isBlank()) {
      return 0;
    }
    try {
      return Long.parseLong(value.strip());
    } catch (NumberFormatException e) {
      return 0;
    }
  }
}
