package io.sluice.delivery.route;

import java.net.InetAddress;
import java.util.List;

/** One host to try, with its addresses in the order to try them, and the SMTP port. */
public record TargetHost(String name, List<InetAddress> addresses, int port) {
  public TargetHost {
    addresses = List.copyOf(addresses);
  }
}
