package io.sluice.delivery.shaping;

import io.sluice.schema.RemoteReply;

/** The answer to "may I send to this destination now?". */
public sealed interface Admission {
  /** Go ahead; the permit must be released with the transaction's feedback. */
  record Admitted(Permit permit) implements Admission {}

  /** Not now: the mail is deferred with this reply (it goes to a tier, contract 5). */
  record Throttled(RemoteReply reply) implements Admission {}
}
