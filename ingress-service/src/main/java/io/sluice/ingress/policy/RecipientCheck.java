package io.sluice.ingress.policy;

import io.sluice.ingress.smtp.ForwardPath;
import io.sluice.ingress.smtp.SessionContext;
import io.sluice.ingress.smtp.Transaction;

/** One rule applied to each RCPT; see {@link RecipientPolicy} for the order they run in. */
@FunctionalInterface
public interface RecipientCheck {
  PolicyDecision check(SessionContext session, Transaction transaction, ForwardPath recipient);
}
