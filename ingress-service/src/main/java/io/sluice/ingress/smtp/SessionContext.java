package io.sluice.ingress.smtp;

import java.net.InetAddress;
import java.util.Objects;

/**
 * Facts about one connection that outlive a single transaction: who the client is, which listener it
 * came in on, whether TLS is on and who authenticated. Owned by one connection's thread.
 */
public final class SessionContext {
  private final InetAddress clientAddress;
  private final ListenerKind listener;
  private final boolean trustedNetwork;
  private boolean tls;
  private String authenticatedUser;

  public SessionContext(InetAddress clientAddress, ListenerKind listener, boolean trustedNetwork, boolean tls) {
    this.clientAddress = Objects.requireNonNull(clientAddress, "clientAddress");
    this.listener = Objects.requireNonNull(listener, "listener");
    this.trustedNetwork = trustedNetwork;
    this.tls = tls;
  }

  public InetAddress clientAddress() {
    return clientAddress;
  }

  public ListenerKind listener() {
    return listener;
  }

  /** The client's address is in {@code sluice.ingress.trusted-networks}. */
  public boolean trustedNetwork() {
    return trustedNetwork;
  }

  public boolean tls() {
    return tls;
  }

  public void tlsStarted() {
    tls = true;
  }

  /** The SASL user name after a successful AUTH, or null. */
  public String authenticatedUser() {
    return authenticatedUser;
  }

  public boolean authenticated() {
    return authenticatedUser != null;
  }

  public void authenticatedAs(String user) {
    authenticatedUser = user;
  }
}
