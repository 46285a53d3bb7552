package io.sluice.delivery.outcome;

import io.sluice.schema.MessageSummary;
import io.sluice.schema.Recipient;
import io.sluice.schema.Ret;
import io.sluice.schema.SubmittedMessage;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Collection;
import java.util.Locale;

/** Builds the {@link MessageSummary} that BOUNCED and EXPIRED events carry for the DSN (contract 4). */
public final class MessageSummaries {
  private MessageSummaries() {}

  public static MessageSummary of(SubmittedMessage m) {
    byte[] headers = headerSection(m.content());
    return new MessageSummary(m.reversePath(), m.envid(), m.ret(), messageId(headers), m.content().length,
        m.receivedAt(), m.clientAddress(), headers);
  }

  /**
   * The summary for the failure events of one attempt. RFC 3461 §4.3: RET=FULL asks for the whole
   * message in a "failed" DSN, so only then, and only when a DSN can follow at all (a sender to
   * send it to, a failed recipient whose NOTIFY asks for it), does the summary carry the body.
   */
  public static MessageSummary forFailures(SubmittedMessage m, Collection<Recipient> failed) {
    MessageSummary summary = of(m);
    boolean reportDue = m.ret() == Ret.FULL && !m.hasNullSender()
        && failed.stream().anyMatch(Recipient::wantsFailureNotice);
    return reportDue ? summary.withContent(m.content()) : summary;
  }

  /** RFC 5322 §2.1: the header section ends at the first empty line; it is kept with that line. */
  static byte[] headerSection(byte[] content) {
    for (int i = 0; i + 1 < content.length; i++) {
      if (content[i] == '\n' && content[i + 1] == '\n') {
        return Arrays.copyOf(content, i + 2);
      }
      if (i + 3 < content.length && content[i] == '\r' && content[i + 1] == '\n' && content[i + 2] == '\r'
          && content[i + 3] == '\n') {
        return Arrays.copyOf(content, i + 4);
      }
    }
    return content.clone();
  }

  /** The unfolded value of the first Message-ID field (RFC 5322 §3.6.4), or null. */
  static String messageId(byte[] headers) {
    String text = new String(headers, StandardCharsets.UTF_8);
    String[] lines = text.split("\r?\n", -1);
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i];
      int colon = line.indexOf(':');
      if (colon > 0 && line.substring(0, colon).strip().toLowerCase(Locale.ROOT).equals("message-id")) {
        StringBuilder value = new StringBuilder(line.substring(colon + 1));
        // RFC 5322 §2.2.3: continuation lines start with white space.
        while (i + 1 < lines.length && !lines[i + 1].isEmpty()
            && (lines[i + 1].charAt(0) == ' ' || lines[i + 1].charAt(0) == '\t')) {
          value.append(' ').append(lines[++i].strip());
        }
        String v = value.toString().strip();
        return v.isEmpty() ? null : v;
      }
    }
    return null;
  }
}
