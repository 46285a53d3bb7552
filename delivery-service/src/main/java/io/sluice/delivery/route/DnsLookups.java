package io.sluice.delivery.route;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.Cache;
import org.xbill.DNS.DClass;
import org.xbill.DNS.ExtendedResolver;
import org.xbill.DNS.MXRecord;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.Resolver;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;
import org.xbill.DNS.lookup.LookupResult;
import org.xbill.DNS.lookup.LookupSession;
import org.xbill.DNS.lookup.NoSuchDomainException;
import org.xbill.DNS.lookup.NoSuchRRSetException;
import org.xbill.DNS.lookup.ServerFailedException;

/**
 * MX and address lookups with dnsjava's asynchronous {@link LookupSession}. Answers, NXDOMAIN and
 * NODATA are cached for their TTLs by the session's {@link Cache}. Names are always taken as
 * absolute: a mail domain never goes through a search path.
 */
public final class DnsLookups {
  private final LookupSession session;
  private final Random random;

  public DnsLookups(Resolver resolver, Random random) {
    this.session = LookupSession.builder()
        .resolver(resolver)
        .cache(new Cache(DClass.IN))
        .clearSearchPath()
        .ndots(0)
        .build();
    this.random = random;
  }

  /** A resolver for {@code host[:port]} servers; none means the system's resolvers. */
  public static Resolver resolver(List<String> servers, Duration timeout) {
    ExtendedResolver resolver;
    if (servers.isEmpty()) {
      resolver = new ExtendedResolver();
    } else {
      List<Resolver> simple = new ArrayList<>();
      for (String server : servers) {
        HostAndPort hp = HostAndPort.parse(server, 53);
        SimpleResolver r = new SimpleResolver(new InetSocketAddress(literalOrName(hp.host()), hp.port()));
        r.setTimeout(timeout);
        simple.add(r);
      }
      resolver = new ExtendedResolver(simple);
    }
    resolver.setTimeout(timeout);
    resolver.setRetries(1);
    return resolver;
  }

  private static InetAddress literalOrName(String host) {
    try {
      return InetAddress.ofLiteral(host);
    } catch (IllegalArgumentException notALiteral) {
      try {
        return InetAddress.getByName(host);
      } catch (java.net.UnknownHostException e) {
        throw new IllegalArgumentException("DNS server " + host + " cannot be resolved", e);
      }
    }
  }

  /** Resolves the route of a mail domain: MX, null MX, implicit MX, or a typed failure. */
  public CompletionStage<RouteResult> route(String domain, int port) {
    Name name;
    try {
      name = Name.fromString(domain.toLowerCase(Locale.ROOT), Name.root);
    } catch (TextParseException e) {
      return CompletableFuture.completedFuture(new RouteResult.Unroutable("invalid domain name: " + e.getMessage()));
    }
    return session.lookupAsync(name, Type.MX).handle((result, error) -> {
      if (error == null) {
        boolean anyMx = result.getRecords().stream().anyMatch(r -> r instanceof MXRecord);
        // NODATA without an SOA comes back as an empty answer rather than NoSuchRRSetException.
        return anyMx ? mxRoute(domain, result, port) : implicitMx(domain, name, port);
      }
      Throwable cause = unwrap(error);
      if (cause instanceof NoSuchRRSetException) {
        // RFC 5321 §5.1: no MX records, so the domain itself is the implicit MX.
        return implicitMx(domain, name, port);
      }
      return CompletableFuture.completedFuture(failure(cause));
    }).thenCompose(stage -> stage);
  }

  private CompletionStage<RouteResult> mxRoute(String domain, LookupResult result, int port) {
    List<MxOrder.Mx> records = new ArrayList<>();
    for (Record r : result.getRecords()) {
      if (r instanceof MXRecord mx) {
        String target = mx.getTarget().equals(Name.root) ? "" : mx.getTarget().toString(true);
        records.add(new MxOrder.Mx(mx.getPriority(), target));
      }
    }
    // RFC 7505 §3: a single MX with the root as exchange is a null MX.
    if (records.size() == 1 && records.getFirst().host().isEmpty()) {
      return CompletableFuture.completedFuture(new RouteResult.NullMx());
    }
    // A "." mixed with real MX records is invalid (RFC 7505 §3); ignore it and use the others.
    records.removeIf(mx -> mx.host().isEmpty());
    if (records.isEmpty()) {
      return CompletableFuture.completedFuture(new RouteResult.NullMx());
    }
    List<MxOrder.Mx> ordered = MxOrder.order(records, random);
    String primary = records.stream()
        .min(java.util.Comparator.comparingInt(MxOrder.Mx::preference).thenComparing(MxOrder.Mx::host))
        .orElseThrow().host().toLowerCase(Locale.ROOT);
    List<CompletableFuture<AddressResult>> lookups = new ArrayList<>();
    for (MxOrder.Mx mx : ordered) {
      lookups.add(addresses(mx.host()).toCompletableFuture());
    }
    return CompletableFuture.allOf(lookups.toArray(CompletableFuture[]::new)).thenApply(done -> {
      List<TargetHost> hosts = new ArrayList<>();
      boolean temporary = false;
      for (int i = 0; i < ordered.size(); i++) {
        AddressResult a = lookups.get(i).join();
        if (!a.addresses().isEmpty()) {
          hosts.add(new TargetHost(ordered.get(i).host(), a.addresses(), port));
        }
        temporary |= a.temporaryFailure();
      }
      if (!hosts.isEmpty()) {
        return new RouteResult.Hosts("mx:" + primary, hosts);
      }
      return temporary
          ? new RouteResult.TemporaryFailure("no MX host of " + domain + " could be resolved now")
          : new RouteResult.Unroutable("no MX host of " + domain + " has an address");
    });
  }

  private CompletionStage<RouteResult> implicitMx(String domain, Name name, int port) {
    return addresses(name.toString(true)).thenApply(a -> {
      if (!a.addresses().isEmpty()) {
        return new RouteResult.Hosts("host:" + domain.toLowerCase(Locale.ROOT),
            List.of(new TargetHost(domain.toLowerCase(Locale.ROOT), a.addresses(), port)));
      }
      if (a.temporaryFailure()) {
        return new RouteResult.TemporaryFailure("address lookup for " + domain + " failed");
      }
      return a.noSuchDomain() ? new RouteResult.NoSuchDomain() : new RouteResult.Unroutable("no MX and no address records");
    });
  }

  /** Addresses of a host: A first, then AAAA (IPv4 is reachable almost everywhere). */
  public CompletionStage<AddressResult> addresses(String host) {
    Name name;
    try {
      name = Name.fromString(host, Name.root);
    } catch (TextParseException e) {
      return CompletableFuture.completedFuture(new AddressResult(List.of(), false, true));
    }
    CompletableFuture<AddressResult> v4 = lookupAddresses(name, Type.A);
    CompletableFuture<AddressResult> v6 = lookupAddresses(name, Type.AAAA);
    return v4.thenCombine(v6, (a, b) -> {
      List<InetAddress> all = new ArrayList<>(a.addresses());
      all.addAll(b.addresses());
      return new AddressResult(all, all.isEmpty() && (a.temporaryFailure() || b.temporaryFailure()),
          a.noSuchDomain() && b.noSuchDomain());
    });
  }

  private CompletableFuture<AddressResult> lookupAddresses(Name name, int type) {
    return session.lookupAsync(name, type).handle((result, error) -> {
      if (error == null) {
        List<InetAddress> out = new ArrayList<>();
        for (Record r : result.getRecords()) {
          if (r instanceof ARecord a) {
            out.add(a.getAddress());
          } else if (r instanceof AAAARecord aaaa) {
            out.add(aaaa.getAddress());
          }
        }
        return new AddressResult(out, false, false);
      }
      Throwable cause = unwrap(error);
      if (cause instanceof NoSuchDomainException) {
        return new AddressResult(List.of(), false, true);
      }
      if (cause instanceof NoSuchRRSetException) {
        return new AddressResult(List.of(), false, false);
      }
      return new AddressResult(List.of(), true, false);
    }).toCompletableFuture();
  }

  private static RouteResult failure(Throwable cause) {
    if (cause instanceof NoSuchDomainException) {
      return new RouteResult.NoSuchDomain();
    }
    if (cause instanceof ServerFailedException) {
      return new RouteResult.TemporaryFailure("SERVFAIL");
    }
    String what = cause.getClass().getSimpleName() + (cause.getMessage() == null ? "" : ": " + cause.getMessage());
    return new RouteResult.TemporaryFailure(what);
  }

  private static Throwable unwrap(Throwable t) {
    while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }

  /** The addresses of one host name, or why there are none. */
  public record AddressResult(List<InetAddress> addresses, boolean temporaryFailure, boolean noSuchDomain) {
    public AddressResult {
      addresses = List.copyOf(addresses);
    }
  }
}
