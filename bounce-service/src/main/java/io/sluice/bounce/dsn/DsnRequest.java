package io.sluice.bounce.dsn;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * Everything needed to write one DSN about one message (RFC 3464). One request covers every
 * recipient that reached the same outcome in the same attempt (contract 4).
 *
 * @param action what happened to the recipients listed
 * @param reportingMta this MTA's host name ({@code Reporting-MTA: dns; <host>})
 * @param originalSender envelope sender of the original message; the DSN goes there
 * @param envid RFC 3461 ENVID, echoed as Original-Envelope-Id; null when not given
 * @param arrivalDate when ingress accepted the original message
 * @param originalMessageId Message-ID of the original, for In-Reply-To and References; may be null
 * @param originalHeaders the original header section, returned as text/rfc822-headers
 * @param originalContent the whole original message for RET=FULL (message/rfc822), or null
 * @param recipients one block per recipient, at least one
 * @param dsnMessageId Message-ID of the DSN itself, without angle brackets
 * @param date Date of the DSN
 */
public record DsnRequest(
    DsnAction action,
    String reportingMta,
    String originalSender,
    String envid,
    Instant arrivalDate,
    String originalMessageId,
    byte[] originalHeaders,
    byte[] originalContent,
    List<RecipientReport> recipients,
    String dsnMessageId,
    Instant date) {

  public DsnRequest {
    Objects.requireNonNull(action, "action");
    Objects.requireNonNull(reportingMta, "reportingMta");
    Objects.requireNonNull(originalSender, "originalSender");
    Objects.requireNonNull(arrivalDate, "arrivalDate");
    Objects.requireNonNull(originalHeaders, "originalHeaders");
    Objects.requireNonNull(dsnMessageId, "dsnMessageId");
    Objects.requireNonNull(date, "date");
    recipients = List.copyOf(recipients);
    if (recipients.isEmpty()) {
      throw new IllegalArgumentException("a DSN reports on at least one recipient");
    }
    // RFC 3461 §6.2 / RFC 5321 §4.5.5: a message with the null reverse-path never gets a DSN;
    // refusing here makes a mail loop impossible whatever the caller does.
    if (originalSender.isEmpty()) {
      throw new IllegalArgumentException("no DSN for a message with the null reverse-path");
    }
    for (RecipientReport r : recipients) {
      if (!action.allowsStatusClass(r.status().charAt(0))) {
        throw new IllegalArgumentException(
            "Status " + r.status() + " of " + r.finalRecipient() + " disagrees with Action " + action.field());
      }
    }
  }
}
