package io.sluice.ingress.smtp;

/**
 * What the client said in HELO or EHLO.
 *
 * @param extended true after EHLO (ESMTP), false after HELO
 */
public record Greeting(String name, boolean extended) {}
