package io.sluice.ingress.smtp;

/** What a listener is for; decides relay rules and message hygiene. */
public enum ListenerKind {
  /** Applications in trusted networks relay without AUTH (port 25/2525 style). */
  RELAY,
  /** Message submission (RFC 6409): AUTH required, STARTTLS, missing Message-ID/Date added. */
  SUBMISSION,
  /** Submission over implicit TLS (RFC 8314 §3.3, port 465 style). */
  SUBMISSIONS
}
