package io.sluice.ingress.policy;

import io.sluice.ingress.smtp.ForwardPath;
import io.sluice.ingress.smtp.Mailbox;
import io.sluice.ingress.smtp.Replies;
import io.sluice.ingress.smtp.SessionContext;
import io.sluice.ingress.smtp.Transaction;
import java.util.List;
import java.util.Optional;

/**
 * The RCPT rules, in the order they run. The first check with an opinion decides; when all abstain
 * the recipient is accepted. Read top to bottom:
 *
 * <ol>
 *   <li>recipient limit: past {@code max-recipients}, {@code 452 4.5.3} (RFC 5321 §4.5.3.1.8: the
 *       client sends the rest in another transaction);
 *   <li>the bare {@code <Postmaster>} (RFC 5321 §4.5.1: must be accepted, from any client): accepted
 *       and routed to {@code sluice.ingress.postmaster} when that is set; without it this relay has
 *       no mailbox to give it, and it is refused;
 *   <li>relay access: authenticated clients, and clients in the trusted networks on the relay
 *       listener, may relay; everyone else gets {@code 554 5.7.1}. Sluice is never an open relay.
 * </ol>
 */
public final class RecipientPolicy {
  private final List<RecipientCheck> checks;
  private final Optional<Mailbox> postmaster;

  /** Without a postmaster address: {@code <Postmaster>} is refused. */
  public RecipientPolicy(int maxRecipients) {
    this(maxRecipients, Optional.empty());
  }

  public RecipientPolicy(int maxRecipients, Optional<Mailbox> postmaster) {
    this.postmaster = postmaster;
    this.checks = List.of(recipientLimit(maxRecipients), postmaster(postmaster.isPresent()), RecipientPolicy::relayAccess);
  }

  /** Where mail to the bare {@code <Postmaster>} goes, when it is accepted. */
  public Optional<Mailbox> postmasterAddress() {
    return postmaster;
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

  static RecipientCheck postmaster(boolean routed) {
    PolicyDecision decision = routed ? PolicyDecision.ACCEPT : new PolicyDecision.Reject(Replies.NO_LOCAL_MAILBOXES);
    return (session, tx, rcpt) -> rcpt instanceof ForwardPath.Postmaster ? decision : PolicyDecision.NO_OPINION;
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
