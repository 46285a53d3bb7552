package io.sluice.bounce.dsn;

import io.sluice.schema.RemoteReply;
import java.time.Instant;
import java.util.Objects;

/**
 * The per-recipient block of a delivery-status report (RFC 3464 §2.3).
 *
 * @param finalRecipient the address the MTA tried, without brackets
 * @param originalRecipient ORCPT as given at RCPT ({@code addr-type;address}), or null
 * @param status RFC 3463 status code, class digit consistent with the action
 * @param remoteMta host that gave the reply, or null when none answered
 * @param diagnostic the reply that decided the outcome, or null
 * @param lastAttemptDate when the MTA last tried this recipient
 * @param willRetryUntil for delayed reports, when the MTA gives up; otherwise null
 */
public record RecipientReport(
    String finalRecipient,
    String originalRecipient,
    String status,
    String remoteMta,
    RemoteReply diagnostic,
    Instant lastAttemptDate,
    Instant willRetryUntil) {

  public RecipientReport {
    Objects.requireNonNull(finalRecipient, "finalRecipient");
    Objects.requireNonNull(status, "status");
    if (!status.matches("[245]\\.\\d{1,3}\\.\\d{1,3}")) {
      throw new IllegalArgumentException("not an RFC 3463 status code: " + status);
    }
  }

  /**
   * The Status for a recipient: the reply's enhanced code when it agrees with the action, else the
   * action's class with the reply's subject and detail, else the generic {@code X.0.0}.
   */
  public static String statusFor(DsnAction action, RemoteReply reply, String fallbackDetail) {
    if (reply != null && reply.enhancedStatus() != null
        && reply.enhancedStatus().matches("[245]\\.\\d{1,3}\\.\\d{1,3}")) {
      String enhanced = reply.enhancedStatus();
      return enhanced.charAt(0) == action.statusClass() ? enhanced : action.statusClass() + enhanced.substring(1);
    }
    return action.statusClass() + (fallbackDetail == null ? ".0.0" : fallbackDetail);
  }
}
