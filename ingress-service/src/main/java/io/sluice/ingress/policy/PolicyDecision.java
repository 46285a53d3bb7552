package io.sluice.ingress.policy;

import io.sluice.ingress.smtp.SmtpReply;

/**
 * A policy check's verdict. {@link NoOpinion} lets the next check in the chain decide; the chain
 * accepts when every check abstains or accepts.
 */
public sealed interface PolicyDecision {
  PolicyDecision ACCEPT = new Accept();
  PolicyDecision NO_OPINION = new NoOpinion();

  record Accept() implements PolicyDecision {}

  /** Refuse permanently; the reply is a 5xx. */
  record Reject(SmtpReply reply) implements PolicyDecision {
    public Reject {
      if (!reply.isPermanent()) {
        throw new IllegalArgumentException("a rejection needs a 5xx reply: " + reply);
      }
    }
  }

  /** Refuse for now; the reply is a 4xx and the client will retry. */
  record TempFail(SmtpReply reply) implements PolicyDecision {
    public TempFail {
      if (!reply.isTransient()) {
        throw new IllegalArgumentException("a temporary failure needs a 4xx reply: " + reply);
      }
    }
  }

  record NoOpinion() implements PolicyDecision {}
}
