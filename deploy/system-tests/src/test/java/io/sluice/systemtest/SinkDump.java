package io.sluice.systemtest;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.stream.Stream;

/**
 * One message as smtp-sink's {@code -d} option wrote it: X-Client-Addr, X-Client-Proto,
 * X-Helo-Args, X-Mail-Args and X-Rcpt-Args lines, smtp-sink's own Received header, then the
 * message with LF line ends, then blank lines.
 */
record SinkDump(String mailArgs, String rcptArgs, String message) {

  /** Waits for a dump in {@code dir} whose content contains {@code marker}. */
  static SinkDump await(Path dir, String marker, Duration timeout) throws IOException, InterruptedException {
    Instant deadline = Instant.now().plus(timeout);
    while (Instant.now().isBefore(deadline)) {
      try (Stream<Path> files = Files.list(dir)) {
        for (Path file : files.toList()) {
          String text = Files.readString(file, StandardCharsets.ISO_8859_1);
          // smtp-sink writes the file while the transaction runs; it is complete after the blank line.
          if (text.contains(marker) && text.endsWith("\n\n")) {
            return parse(text);
          }
        }
      }
      Thread.sleep(250);
    }
    throw new AssertionError("smtp-sink dumped no message containing " + marker + " within " + timeout);
  }

  /**
   * smtp-sink separates dumps with blank lines, so where the message ends is ambiguous by a line
   * ending or two; comparisons ignore trailing line ends on both sides.
   */
  static String withoutTrailingNewlines(String s) {
    int end = s.length();
    while (end > 0 && (s.charAt(end - 1) == '\n' || s.charAt(end - 1) == '\r')) {
      end--;
    }
    return s.substring(0, end);
  }

  static SinkDump parse(String text) {
    String[] lines = text.split("\n", -1);
    String mail = null;
    String rcpt = null;
    int i = 0;
    for (; i < lines.length && lines[i].startsWith("X-"); i++) {
      if (lines[i].startsWith("X-Mail-Args: ")) {
        mail = lines[i].substring("X-Mail-Args: ".length());
      } else if (lines[i].startsWith("X-Rcpt-Args: ")) {
        rcpt = lines[i].substring("X-Rcpt-Args: ".length());
      }
    }
    // Skip smtp-sink's own Received header and its continuation lines.
    if (i < lines.length && lines[i].startsWith("Received: ")) {
      i++;
      while (i < lines.length && (lines[i].startsWith("\t") || lines[i].startsWith(" "))) {
        i++;
      }
    }
    StringBuilder message = new StringBuilder();
    for (; i < lines.length; i++) {
      message.append(lines[i]).append('\n');
    }
    return new SinkDump(mail, rcpt, withoutTrailingNewlines(message.toString()));
  }
}
