package io.sluice.delivery.transport;

import java.time.Duration;

/** Client-side waits of RFC 5321 §4.5.3.2, one per step. */
public record SmtpTimeouts(
    Duration connect,
    Duration greeting,
    Duration command,
    Duration dataStart,
    Duration dataBlock,
    Duration dataDone) {

  public static SmtpTimeouts uniform(Duration d) {
    return new SmtpTimeouts(d, d, d, d, d, d);
  }
}
