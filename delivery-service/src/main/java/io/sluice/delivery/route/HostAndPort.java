package io.sluice.delivery.route;

/** A {@code host[:port]} setting (static route, smart host, DNS server); IPv6 literals in brackets. */
public record HostAndPort(String host, int port) {

  public static HostAndPort parse(String value, int defaultPort) {
    String v = value.strip();
    if (v.isEmpty()) {
      throw new IllegalArgumentException("empty host[:port]");
    }
    if (v.startsWith("[")) {
      int close = v.indexOf(']');
      if (close < 0) {
        throw new IllegalArgumentException("unterminated IPv6 literal in: " + value);
      }
      String host = v.substring(1, close);
      String rest = v.substring(close + 1);
      if (rest.isEmpty()) {
        return new HostAndPort(host, defaultPort);
      }
      if (!rest.startsWith(":")) {
        throw new IllegalArgumentException("expected :port after ] in: " + value);
      }
      return new HostAndPort(host, port(rest.substring(1), value));
    }
    int colon = v.lastIndexOf(':');
    if (colon < 0) {
      return new HostAndPort(v, defaultPort);
    }
    if (v.indexOf(':') != colon) {
      return new HostAndPort(v, defaultPort); // bare IPv6 literal without a port
    }
    return new HostAndPort(v.substring(0, colon), port(v.substring(colon + 1), value));
  }

  private static int port(String s, String whole) {
    try {
      int port = Integer.parseInt(s);
      if (port < 1 || port > 65535) {
        throw new IllegalArgumentException("port out of range in: " + whole);
      }
      return port;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("bad port in: " + whole, e);
    }
  }

  @Override
  public String toString() {
    return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
  }
}
