package io.sluice.bounce.dsn;

import io.sluice.bounce.config.BounceConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.net.InetAddress;
import java.net.UnknownHostException;

/** The host name this MTA reports itself as in DSNs. */
@ApplicationScoped
public class ReportingMta {
  @Inject BounceConfig config;

  private volatile String name;

  public String name() {
    String n = name;
    if (n == null) {
      n = config.reportingMta().filter(s -> !s.isBlank()).orElseGet(ReportingMta::hostName);
      name = n;
    }
    return n;
  }

  private static String hostName() {
    try {
      return InetAddress.getLocalHost().getCanonicalHostName();
    } catch (UnknownHostException e) {
      return "localhost";
    }
  }
}
