package io.sluice.delivery.route;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.DatagramSocket;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** MX resolution with dnsjava against a real dnsmasq. */
class DnsLookupsTest {
  private static Dnsmasq dns;
  private static DnsLookups lookups;

  @BeforeAll
  static void start() throws Exception {
    dns = new Dnsmasq(List.of(
        "--mx-host=pref.dtest,mx20.pref.dtest,20", "--mx-host=pref.dtest,mx10.pref.dtest,10",
        "--host-record=mx10.pref.dtest,127.0.0.10", "--host-record=mx20.pref.dtest,127.0.0.20",
        "--mx-host=dangling.dtest,nowhere.dtest,10",
        "--host-record=implicit.dtest,127.0.0.30",
        // RFC 7505 null MX: preference 0, exchange "." (the root: a single zero octet).
        "--dns-rr=nullmx.dtest,15,000000"));
    lookups = new DnsLookups(DnsLookups.resolver(List.of(dns.server()), Duration.ofSeconds(2)), new Random(7));
  }

  @AfterAll
  static void stop() {
    if (dns != null) {
      dns.close();
    }
  }

  private static RouteResult route(String domain) {
    return lookups.route(domain, 25).toCompletableFuture().join();
  }

  @Test
  void mxHostsComeInPreferenceOrderWithTheirAddresses() {
    RouteResult r = route("pref.dtest");
    assertThat(r).isInstanceOfSatisfying(RouteResult.Hosts.class, h -> {
      assertThat(h.hosts()).extracting(TargetHost::name).containsExactly("mx10.pref.dtest", "mx20.pref.dtest");
      assertThat(h.hosts().getFirst().addresses()).extracting(InetAddress::getHostAddress).containsExactly("127.0.0.10");
      assertThat(h.hosts().getFirst().port()).isEqualTo(25);
      assertThat(h.destination()).isEqualTo("mx:mx10.pref.dtest");
    });
  }

  @Test
  void aDomainWithoutMxIsItsOwnImplicitMx() {
    assertThat(route("implicit.dtest")).isInstanceOfSatisfying(RouteResult.Hosts.class,
        h -> assertThat(h.hosts()).singleElement().satisfies(t -> {
          assertThat(t.name()).isEqualTo("implicit.dtest");
          assertThat(t.addresses()).extracting(InetAddress::getHostAddress).containsExactly("127.0.0.30");
        }));
  }

  @Test
  void nullMxIsItsOwnResult() {
    assertThat(route("nullmx.dtest")).isInstanceOf(RouteResult.NullMx.class);
  }

  @Test
  void nxdomainIsPermanent() {
    assertThat(route("no-such-domain.dtest")).isInstanceOf(RouteResult.NoSuchDomain.class);
  }

  @Test
  void mxHostsWithoutAddressesAreUnroutable() {
    assertThat(route("dangling.dtest")).isInstanceOf(RouteResult.Unroutable.class);
  }

  @Test
  void aResolverThatDoesNotAnswerIsATemporaryFailure() throws Exception {
    try (DatagramSocket silent = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
      DnsLookups mute = new DnsLookups(
          DnsLookups.resolver(List.of("127.0.0.1:" + silent.getLocalPort()), Duration.ofMillis(300)), new Random());
      assertThat(mute.route("pref.dtest", 25).toCompletableFuture().join()).isInstanceOf(RouteResult.TemporaryFailure.class);
    }
  }

  @Test
  void anAddressLiteralIsTheHostItself() {
    Router router = new Router(lookups, Map.of(), Optional.empty(), 2525);
    assertThat(router.route("[127.0.0.5]").toCompletableFuture().join()).isInstanceOfSatisfying(RouteResult.Hosts.class,
        h -> assertThat(h.hosts()).singleElement().satisfies(t -> {
          assertThat(t.addresses()).extracting(InetAddress::getHostAddress).containsExactly("127.0.0.5");
          assertThat(t.port()).isEqualTo(2525);
        }));
    assertThat(router.route("[IPv6:::1]").toCompletableFuture().join()).isInstanceOf(RouteResult.Hosts.class);
    assertThat(router.route("[not-an-ip]").toCompletableFuture().join()).isInstanceOf(RouteResult.Unroutable.class);
    assertThat(router.route("").toCompletableFuture().join()).isInstanceOf(RouteResult.Unroutable.class);
  }

  @Test
  void staticRoutesAndTheSmartHostComeBeforeMx() {
    Router router = new Router(lookups, Map.of("\"pref.dtest\"", "127.0.0.1:2526"), Optional.of("implicit.dtest:2600"), 25);

    assertThat(router.route("PREF.dtest").toCompletableFuture().join()).isInstanceOfSatisfying(RouteResult.Hosts.class,
        h -> assertThat(h.hosts()).singleElement().satisfies(t -> assertThat(t.port()).isEqualTo(2526)));
    assertThat(router.route("other.dtest").toCompletableFuture().join()).isInstanceOfSatisfying(RouteResult.Hosts.class,
        h -> assertThat(h.hosts()).singleElement().satisfies(t -> {
          assertThat(t.port()).isEqualTo(2600);
          assertThat(t.addresses()).extracting(InetAddress::getHostAddress).containsExactly("127.0.0.30");
        }));
  }
}
