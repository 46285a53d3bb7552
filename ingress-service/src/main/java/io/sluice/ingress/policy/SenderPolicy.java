package io.sluice.ingress.policy;

import io.sluice.ingress.smtp.Mailbox;
import io.sluice.ingress.smtp.Replies;
import io.sluice.ingress.smtp.ReversePath;
import io.sluice.ingress.smtp.SessionContext;

/**
 * MAIL FROM rules: an authenticated user whose credential lists sender domains may only use those
 * domains (and not the null sender, which is for the MTA's own notifications).
 */
public final class SenderPolicy {
  private final java.util.function.Supplier<Credentials> credentials;

  public SenderPolicy(java.util.function.Supplier<Credentials> credentials) {
    this.credentials = credentials;
  }

  public PolicyDecision check(SessionContext session, ReversePath from) {
    if (!session.authenticated()) {
      return PolicyDecision.NO_OPINION;
    }
    Credentials.User user = credentials.get().user(session.authenticatedUser());
    if (user == null || user.senderDomains().isEmpty()) {
      return PolicyDecision.NO_OPINION;
    }
    return switch (from) {
      case ReversePath.Of(Mailbox m) when user.maySendFrom(m.domain()) -> PolicyDecision.ACCEPT;
      default -> new PolicyDecision.Reject(Replies.SENDER_NOT_OWNED);
    };
  }
}
