package io.sluice.ingress.smtp;

import java.util.List;

/**
 * What the protocol state machine needs to know about the server, independent of Quarkus config
 * so that it can be unit-tested.
 *
 * @param hostname our name in the greeting, the EHLO reply and Received
 * @param maxMessageSize SIZE limit in octets (RFC 1870)
 * @param startTls STARTTLS can be offered (a certificate is configured) on this listener
 * @param authMechanisms SASL mechanisms offered once TLS is on; empty when AUTH is off
 * @param requireAuth MAIL needs a prior successful AUTH (submission listeners)
 */
public record SmtpSettings(
    String hostname,
    long maxMessageSize,
    boolean startTls,
    List<String> authMechanisms,
    boolean requireAuth) {

  public SmtpSettings {
    authMechanisms = List.copyOf(authMechanisms);
  }

  public static SmtpSettings relay(String hostname, long maxMessageSize) {
    return new SmtpSettings(hostname, maxMessageSize, false, List.of(), false);
  }
}
