package io.sluice.ingress.policy;

import io.sluice.ingress.smtp.ForwardPath;
import io.sluice.ingress.smtp.Replies;
import io.sluice.ingress.smtp.SessionContext;
import io.sluice.ingress.smtp.Transaction;
import java.util.List;

/**
 * The RCPT rules, in the order they run. The first check with an opinion decides; when all abstain
 * the recipient is accepted. Read top to bottom:
 *
 * <ol>
 *   <li>recipient limit: past {@code max-recipients}, {@code 452 4.5.3} (RFC 5321 §4.5.3.1.8: the
 *       client sends the rest in another transaction);
 *   <li>the bare {@code <Postmaster>}: this relay has no local mailboxes;
 *   <li>relay access: authenticated clients, and clients in the trusted networks on the relay
 *       listener, may relay; everyone else gets {@code 554 5.7.1}. Sluice is never an open relay.
 * </ol>
 */
public final class RecipientPolicy {
  private final List<RecipientCheck> checks;

  public RecipientPolicy(int maxRecipients) {
    this.checks = List.of(recipientLimit(maxRecipients), RecipientPolicy::noLocalPostmaster, RecipientPolicy::relayAccess);
  }

  public PolicyDecision check(SessionContext session, Transaction transaction, ForwardPath recipient) {
    for (RecipientCheck check : checks) {
      PolicyDecision decision = check.check(session, transaction, recipient);
      if (!(decision instanceof PolicyDecision.NoOpinion)) {
        return decision;
      }
    }
    return PolicyDecision.ACCEPT;
  }

  static RecipientCheck recipientLimit(int max) {
    return (session, tx, rcpt) -> tx.recipients().size() >= max
        ? new PolicyDecision.TempFail(Replies.TOO_MANY_RECIPIENTS)
        : PolicyDecision.NO_OPINION;
  }

  static PolicyDecision noLocalPostmaster(SessionContext session, Transaction tx, ForwardPath rcpt) {
    return rcpt instanceof ForwardPath.Postmaster
        ? new PolicyDecision.Reject(Replies.NO_LOCAL_MAILBOXES)
        : PolicyDecision.NO_OPINION;
  }

  static PolicyDecision relayAccess(SessionContext session, Transaction tx, ForwardPath rcpt) {
    if (session.authenticated()) {
      return PolicyDecision.ACCEPT;
    }
    if (session.trustedNetwork() && session.listener() == io.sluice.ingress.smtp.ListenerKind.RELAY) {
      return PolicyDecision.ACCEPT;
    }
    return new PolicyDecision.Reject(Replies.RELAY_DENIED);
  }
}
