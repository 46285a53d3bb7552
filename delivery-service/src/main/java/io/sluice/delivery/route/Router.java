package io.sluice.delivery.route;

import io.sluice.delivery.DeliveryConfig;
import io.quarkus.runtime.Startup;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.net.InetAddress;
import java.security.SecureRandom;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.jboss.logging.Logger;

/**
 * Decides where a recipient domain's mail goes, in this order: a static route for the domain, the
 * smart host, an address literal ({@code user@[192.0.2.1]}), then the domain's MX hosts in DNS.
 */
@Singleton // no client proxy to resolve on every call: it is called for every message
@Startup // so that the routing configuration is logged when the service starts
public class Router {
  private static final Logger LOG = Logger.getLogger(Router.class);

  private final DnsLookups dns;
  private final Map<String, HostAndPort> staticRoutes = new HashMap<>();
  private final Optional<HostAndPort> smartHost;
  private final int port;
  /** Static routes to IP literals, resolved once: every message to such a domain is routed here. */
  private final Map<String, CompletionStage<RouteResult>> literalRoutes = new HashMap<>();

  @Inject
  public Router(DeliveryConfig config) {
    this(new DnsLookups(DnsLookups.resolver(config.dns().servers().orElse(List.of()), config.dns().timeout()),
            new SecureRandom()),
        config.routes(), config.smartHost(), config.smtp().port());
    LOG.infof("Routing: DNS servers %s, SMTP port %d, smart host %s, static routes %s",
        config.dns().servers().map(Object::toString).orElse("(system resolver)"), port,
        smartHost.map(Object::toString).orElse("(none)"), staticRoutes);
  }

  public Router(DnsLookups dns, Map<String, String> routes, Optional<String> smartHost, int port) {
    this.dns = dns;
    this.port = port;
    routes.forEach((domain, target) -> staticRoutes.put(unquote(domain).toLowerCase(Locale.ROOT), HostAndPort.parse(target, port)));
    this.smartHost = smartHost.filter(s -> !s.isBlank()).map(s -> HostAndPort.parse(s, port));
    staticRoutes.forEach((domain, target) -> {
      RouteResult literal = literalHost("route:" + target, target);
      if (literal != null) { // a host name is looked up per message instead, from the cache within its TTL
        literalRoutes.put(domain, CompletableFuture.completedStage(literal));
      }
    });
  }

  public CompletionStage<RouteResult> route(String domain) {
    String key = domain.toLowerCase(Locale.ROOT);
    if (key.isBlank()) {
      return CompletableFuture.completedFuture(new RouteResult.Unroutable("the address has no domain"));
    }
    CompletionStage<RouteResult> literal = literalRoutes.get(key);
    if (literal != null) {
      return literal;
    }
    HostAndPort fixed = staticRoutes.get(key);
    if (fixed != null) {
      return fixedHost("route:" + fixed, fixed);
    }
    if (smartHost.isPresent()) {
      return fixedHost("smarthost:" + smartHost.get(), smartHost.get());
    }
    if (key.startsWith("[") && key.endsWith("]")) {
      return addressLiteral(key);
    }
    return dns.route(key, port);
  }

  /** The route to a target given as an IP literal, or null when the target is a host name. */
  private static RouteResult literalHost(String destination, HostAndPort target) {
    try {
      InetAddress literal = InetAddress.ofLiteral(target.host());
      return new RouteResult.Hosts(destination, List.of(new TargetHost(target.host(), List.of(literal), target.port())));
    } catch (IllegalArgumentException notALiteral) {
      return null;
    }
  }

  private CompletionStage<RouteResult> fixedHost(String destination, HostAndPort target) {
    RouteResult literal = literalHost(destination, target);
    if (literal != null) {
      return CompletableFuture.completedFuture(literal);
    }
    return dns.addresses(target.host()).thenApply(a -> {
      if (!a.addresses().isEmpty()) {
        return new RouteResult.Hosts(destination, List.of(new TargetHost(target.host(), a.addresses(), target.port())));
      }
      // A configured host that does not resolve is an operator problem: keep the mail (defer).
      return new RouteResult.TemporaryFailure("configured host " + target.host() + " has no address");
    });
  }

  /** RFC 5321 §4.1.3: {@code [192.0.2.1]} or {@code [IPv6:2001:db8::1]} names the host itself; no DNS. */
  private CompletionStage<RouteResult> addressLiteral(String literal) {
    String inner = literal.substring(1, literal.length() - 1);
    if (inner.startsWith("ipv6:")) {
      inner = inner.substring(5);
    }
    try {
      InetAddress address = InetAddress.ofLiteral(inner);
      return CompletableFuture.completedFuture(new RouteResult.Hosts("literal:" + address.getHostAddress(),
          List.of(new TargetHost(literal, List.of(address), port))));
    } catch (IllegalArgumentException e) {
      return CompletableFuture.completedFuture(new RouteResult.Unroutable("invalid address literal " + literal));
    }
  }

  private static String unquote(String key) {
    return key.length() >= 2 && key.startsWith("\"") && key.endsWith("\"") ? key.substring(1, key.length() - 1) : key;
  }
}
