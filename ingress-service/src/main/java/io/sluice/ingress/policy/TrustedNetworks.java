package io.sluice.ingress.policy;

import java.net.InetAddress;
import java.util.List;

/** The networks allowed to relay without authentication (Postfix's {@code mynetworks}). */
public record TrustedNetworks(List<Cidr> networks) {
  public TrustedNetworks {
    networks = List.copyOf(networks);
  }

  public static TrustedNetworks parse(List<String> cidrs) {
    return new TrustedNetworks(cidrs.stream().filter(s -> !s.isBlank()).map(Cidr::parse).toList());
  }

  public boolean contains(InetAddress address) {
    for (Cidr c : networks) {
      if (c.contains(address)) {
        return true;
      }
    }
    return false;
  }
}
