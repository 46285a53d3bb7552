package io.sluice.ingress.smtp;

import io.sluice.schema.Recipient;
import io.sluice.schema.Ret;
import java.util.ArrayList;
import java.util.List;

/**
 * One mail transaction (RFC 5321 §3.3), from MAIL to the end of data. Immutable: each accepted RCPT
 * returns a new value, so a state value can be shared with the data phase without copying.
 *
 * @param declaredSize SIZE parameter (RFC 1870), or -1 when the client gave none
 * @param smtputf8 the client asked for SMTPUTF8 (RFC 6531 §3.4)
 * @param ret RFC 3461 RET, or null
 * @param envid RFC 3461 ENVID, decoded from xtext, or null
 * @param rejectedRecipients RCPTs refused so far; DATA then says "no valid recipients" (RFC 2920 §3.1)
 * @param chunked BDAT has been used, so DATA may not be (RFC 3030 §2)
 */
public record Transaction(
    ReversePath from,
    long declaredSize,
    boolean smtputf8,
    Ret ret,
    String envid,
    List<Recipient> recipients,
    int rejectedRecipients,
    boolean chunked) {

  public Transaction {
    recipients = List.copyOf(recipients);
  }

  public static Transaction start(ReversePath from, long declaredSize, boolean smtputf8, Ret ret, String envid) {
    return new Transaction(from, declaredSize, smtputf8, ret, envid, List.of(), 0, false);
  }

  public Transaction withRecipient(Recipient recipient) {
    List<Recipient> more = new ArrayList<>(recipients.size() + 1);
    more.addAll(recipients);
    more.add(recipient);
    return new Transaction(from, declaredSize, smtputf8, ret, envid, more, rejectedRecipients, chunked);
  }

  public Transaction withRejectedRecipient() {
    return new Transaction(from, declaredSize, smtputf8, ret, envid, recipients, rejectedRecipients + 1, chunked);
  }

  public Transaction withChunking() {
    return chunked ? this : new Transaction(from, declaredSize, smtputf8, ret, envid, recipients, rejectedRecipients, true);
  }
}
