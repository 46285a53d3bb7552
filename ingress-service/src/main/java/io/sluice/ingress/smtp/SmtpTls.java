package io.sluice.ingress.smtp;

import java.io.IOException;
import java.net.Socket;
import java.time.Duration;
import java.util.Arrays;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

/** Server-side TLS over an accepted socket: for STARTTLS (RFC 3207) and implicit TLS (RFC 8314). */
public final class SmtpTls {
  /** RFC 8996 deprecates TLS 1.0 and 1.1. */
  private static final String[] PROTOCOLS = {"TLSv1.3", "TLSv1.2"};

  private volatile SSLContext context;

  public SmtpTls(SSLContext context) {
    this.context = context;
  }

  /** A renewed certificate: new handshakes use it, sessions already in TLS keep theirs. */
  public void update(SSLContext renewed) {
    this.context = renewed;
  }

  /**
   * Layers TLS over {@code plain} and runs the handshake within {@code timeout}. Closing the
   * returned socket closes {@code plain}.
   */
  public SSLSocket handshake(Socket plain, Duration timeout) throws IOException {
    SSLSocket ssl = (SSLSocket) context.getSocketFactory()
        .createSocket(plain, plain.getInetAddress().getHostAddress(), plain.getPort(), true);
    ssl.setUseClientMode(false);
    String[] supported = ssl.getSupportedProtocols();
    ssl.setEnabledProtocols(Arrays.stream(PROTOCOLS).filter(p -> Arrays.asList(supported).contains(p))
        .toArray(String[]::new));
    int before = plain.getSoTimeout();
    ssl.setSoTimeout((int) timeout.toMillis());
    ssl.startHandshake();
    ssl.setSoTimeout(before);
    return ssl;
  }
}
