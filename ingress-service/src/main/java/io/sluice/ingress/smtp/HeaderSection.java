package io.sluice.ingress.smtp;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Reads what ingress needs from a message's header section (RFC 5322 §2.2) without a MIME parser:
 * where it ends, and the values of single fields such as Message-ID.
 */
public final class HeaderSection {
  private final byte[] content;
  private final int end;

  public HeaderSection(byte[] content) {
    this.content = content;
    this.end = headerEnd(content);
  }

  /** The header section including the blank line that ends it (all of the message if none). */
  public byte[] bytes() {
    return Arrays.copyOf(content, end);
  }

  /**
   * The header section cut to at most {@code max} octets at a line boundary, ending with the blank
   * line. A header section that fits is returned whole; one that does not loses its last fields (and a
   * field folded across the cut loses its tail line), which a RET=HDRS report can live with.
   */
  public byte[] bytes(int max) {
    if (end <= max) {
      return bytes();
    }
    int cut = 0;
    for (int i = 0; i + 1 < max - 2; i++) {
      if (content[i] == '\r' && content[i + 1] == '\n') {
        cut = i + 2;
      }
    }
    byte[] out = Arrays.copyOf(content, cut + 2);
    out[cut] = '\r';
    out[cut + 1] = '\n';
    return out;
  }

  /** True when the header section has a field named {@code name} (case-insensitive). */
  public boolean has(String name) {
    return value(name) != null;
  }

  /** The unfolded, trimmed value of the first field called {@code name}, or null. */
  public String value(String name) {
    int i = 0;
    while (i < end) {
      int lineEnd = indexOfCrlf(i);
      int colon = -1;
      for (int j = i; j < lineEnd; j++) {
        if (content[j] == ':') {
          colon = j;
          break;
        }
      }
      if (colon > i && nameMatches(i, colon, name)) {
        StringBuilder value = new StringBuilder(new String(content, colon + 1, lineEnd - colon - 1, StandardCharsets.UTF_8));
        int next = lineEnd + 2;
        while (next < end && (content[next] == ' ' || content[next] == '\t')) { // folded (RFC 5322 §2.2.3)
          int e = indexOfCrlf(next);
          value.append(new String(content, next, e - next, StandardCharsets.UTF_8));
          next = e + 2;
        }
        return value.toString().strip();
      }
      i = lineEnd + 2;
    }
    return null;
  }

  private boolean nameMatches(int from, int colon, String name) {
    String field = new String(content, from, colon - from, StandardCharsets.US_ASCII).strip();
    return field.equalsIgnoreCase(name);
  }

  private int indexOfCrlf(int from) {
    for (int i = from; i + 1 < content.length; i++) {
      if (content[i] == '\r' && content[i + 1] == '\n') {
        return i;
      }
    }
    return content.length;
  }

  /** Offset just after the CRLF CRLF that ends the header section, or the content length. */
  static int headerEnd(byte[] c) {
    if (c.length >= 2 && c[0] == '\r' && c[1] == '\n') {
      return 2; // no header fields at all
    }
    for (int i = 0; i + 3 < c.length; i++) {
      if (c[i] == '\r' && c[i + 1] == '\n' && c[i + 2] == '\r' && c[i + 3] == '\n') {
        return i + 4;
      }
    }
    return c.length;
  }
}
