package io.sluice.systemtest;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The whole relay and its peers, started once for all system tests and stopped at the end:
 *
 * <pre>
 *   swaks ──▶ ingress ──▶ Kafka (own broker, port 29092) ──▶ delivery ──▶ smtp-sink 127.0.0.2:25 (accepts, dumps)
 *                                   │                           │    ├──▶ smtp-sink 127.0.0.3:25 (-f RCPT: 5xx)
 *                                   │                           │    ├──▶ smtp_unknown_users.py 127.0.0.4:25 (550 5.1.1)
 *                                   │                           │    └──▶ smtp-sink 127.0.0.8:25 (-r RCPT: 4xx, until replaced)
 *                                   ▼                           └── MX lookups: dnsmasq 127.0.0.1:5353
 *                             bounce-service ──▶ PostgreSQL 127.0.0.1:5432/test, schema sluice_system
 * </pre>
 *
 * DNS: {@code ok.test} has MX {@code mx.ok.test} = 127.0.0.2, {@code reject.test} has MX
 * {@code mx.reject.test} = 127.0.0.3, {@code unknown.test} has MX {@code mx.unknown.test} = 127.0.0.4,
 * {@code retry.test} has MX {@code mx.retry.test} = 127.0.0.8.
 * Delivery retries within seconds (initial delay 2 s, at most 4 s) so that a deferred recipient's
 * later attempts happen during a test. The broker is the system tests' own, fresh each run, so that
 * records left by the service tests never reach these services. JUnit closes it (an
 * {@link AutoCloseable} in the root store) after the last test.
 */
public final class SluiceStack implements BeforeAllCallback, AutoCloseable {
  static final String API_TOKEN = "system-test-token";
  static final int KAFKA_PORT = Integer.getInteger("sluice.systemtest.kafka-port", 29092);
  static final String BOOTSTRAP = "127.0.0.1:" + KAFKA_PORT;
  private static final String RETRY_SINK = "127.0.0.8:25";

  private static SluiceStack running;

  private final Path root = Path.of(System.getProperty("sluice.root", "../..")).toAbsolutePath().normalize();
  private final Path work = root.resolve("deploy/system-tests/target/system");
  private final Path logs = work.resolve("logs");
  private final List<Proc> procs = new ArrayList<>();
  private final Map<String, String> kafkaEnv = Map.of(
      "KAFKA_PORT", String.valueOf(KAFKA_PORT),
      "KAFKA_STATE_DIR", work.resolve("kafka").toString(),
      "KAFKA_FRESH", "1");

  Path acceptedDumps;
  /** Every address the unknown-users server (unknown.test) was asked for, one per line. */
  Path unknownUsersRcpts;
  private Proc retrySink;
  int smtpPort;
  int bounceHttpPort;

  static SluiceStack get() {
    return running;
  }

  @Override
  public void beforeAll(ExtensionContext context) throws Exception {
    synchronized (SluiceStack.class) {
      if (running == null) {
        SluiceStack stack = new SluiceStack();
        context.getRoot().getStore(ExtensionContext.Namespace.GLOBAL).put(SluiceStack.class, stack);
        stack.start();
        running = stack;
      }
    }
  }

  private void start() throws Exception {
    Files.createDirectories(logs);
    kafka("start");

    procs.add(Proc.start("dnsmasq", logs, List.of("dnsmasq", "--keep-in-foreground", "--no-resolv", "--no-hosts",
        "--port=5353", "--listen-address=127.0.0.1", "--bind-interfaces", "--log-queries", "--log-facility=-",
        "--mx-host=ok.test,mx.ok.test,10", "--host-record=mx.ok.test,127.0.0.2",
        "--mx-host=reject.test,mx.reject.test,10", "--host-record=mx.reject.test,127.0.0.3",
        "--mx-host=unknown.test,mx.unknown.test,10", "--host-record=mx.unknown.test,127.0.0.4",
        "--mx-host=retry.test,mx.retry.test,10", "--host-record=mx.retry.test,127.0.0.8",
        "--local=/test/")));

    // smtp-sink drops privileges to nobody, so its dump folder must be writable by nobody.
    acceptedDumps = Files.createTempDirectory("sluice-sink-ok");
    Files.setPosixFilePermissions(acceptedDumps, PosixFilePermissions.fromString("rwxrwxrwx"));
    procs.add(Proc.start("smtp-sink-ok", logs, List.of("smtp-sink", "-u", "nobody", "-d",
        acceptedDumps + "/%Y%m%d%H%M%S.", "127.0.0.2:25", "100")));
    procs.add(Proc.start("smtp-sink-reject", logs, List.of("smtp-sink", "-u", "nobody", "-f", "RCPT",
        "127.0.0.3:25", "100")));
    unknownUsersRcpts = work.resolve("unknown-users-rcpts.log");
    Files.deleteIfExists(unknownUsersRcpts);
    procs.add(Proc.start("smtp-unknown-users", logs, List.of("python3",
        root.resolve("deploy/system-tests/peers/smtp_unknown_users.py").toString(), "127.0.0.4", "25",
        unknownUsersRcpts.toString())));
    retrySink = Proc.start("smtp-sink-retry-4xx", logs, List.of("smtp-sink", "-u", "nobody", "-r", "RCPT",
        RETRY_SINK, "100"));
    procs.add(retrySink);

    bounceHttpPort = Ports.free();
    Proc bounce = service("bounce-service", "bounce-service", bounceHttpPort,
        "-Dquarkus.datasource.jdbc.url=jdbc:postgresql://127.0.0.1:5432/test?currentSchema=sluice_system",
        "-Dquarkus.datasource.username=postgres",
        "-Dquarkus.flyway.schemas=sluice_system",
        "-Dquarkus.flyway.clean-at-start=true",
        "-Dsluice.bounce.api.token=" + API_TOKEN);
    procs.add(bounce);
    int deliveryHttpPort = Ports.free();
    Proc delivery = service("delivery-service", "delivery-service", deliveryHttpPort,
        "-Dsluice.delivery.dns.servers=127.0.0.1:5353",
        "-Dsluice.delivery.retry.initial-delay=2s", "-Dsluice.delivery.retry.max-delay=4s",
        "-Dsluice.delivery.retry.jitter=0");
    procs.add(delivery);
    int ingressHttpPort = Ports.free();
    smtpPort = Ports.free();
    Proc ingress = service("ingress-service", "ingress-service", ingressHttpPort,
        "-Dsluice.ingress.port=" + smtpPort);
    procs.add(ingress);

    Ports.awaitListening("127.0.0.1", 5353, Duration.ofSeconds(10));
    Ports.awaitListening("127.0.0.2", 25, Duration.ofSeconds(10));
    Ports.awaitListening("127.0.0.3", 25, Duration.ofSeconds(10));
    Ports.awaitListening("127.0.0.4", 25, Duration.ofSeconds(10));
    Ports.awaitListening("127.0.0.8", 25, Duration.ofSeconds(10));
    awaitReady(bounce, bounceHttpPort);
    awaitReady(delivery, deliveryHttpPort);
    awaitReady(ingress, ingressHttpPort);
    Ports.awaitListening("127.0.0.1", smtpPort, Duration.ofSeconds(30));
  }

  /**
   * Replaces retry.test's sink, which answers 4xx to every RCPT, by one that accepts and dumps into
   * {@code dumps}, on the same address: the destination recovers.
   */
  synchronized void acceptAtRetrySink(Path dumps) throws IOException, InterruptedException {
    retrySink.close();
    retrySink = Proc.start("smtp-sink-retry-ok", logs, List.of("smtp-sink", "-u", "nobody", "-d",
        dumps + "/%Y%m%d%H%M%S.", RETRY_SINK, "100"));
    procs.add(retrySink);
    Ports.awaitListening("127.0.0.8", 25, Duration.ofSeconds(10));
  }

  /**
   * One more ingress on the stack's broker with extra settings, ready when this returns; the
   * caller closes it. For listener settings that would change what the other tests see.
   */
  Proc startExtraIngress(String name, int httpPort, String... flags) throws Exception {
    Proc ingress = service(name, "ingress-service", httpPort, flags);
    try {
      awaitReady(ingress, httpPort);
    } catch (Exception | AssertionError e) {
      ingress.close();
      throw e;
    }
    return ingress;
  }

  /** Where the stack's processes write their logs; peers a test starts itself log here too. */
  Path logs() {
    return logs;
  }

  private Proc service(String name, String module, int httpPort, String... flags) throws IOException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> command = new ArrayList<>(List.of(java, "-Xmx512m",
        "-Dkafka.bootstrap.servers=" + BOOTSTRAP, "-Dquarkus.http.port=" + httpPort,
        "-Dquarkus.http.host=127.0.0.1"));
    command.addAll(List.of(flags));
    command.addAll(List.of("-jar", root.resolve(module + "/target/quarkus-app/quarkus-run.jar").toString()));
    return Proc.start(name, logs, command);
  }

  private void awaitReady(Proc proc, int httpPort) throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    Instant deadline = Instant.now().plusSeconds(90);
    while (Instant.now().isBefore(deadline)) {
      proc.requireAlive();
      try {
        HttpResponse<String> response = http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/q/health/ready")).build(),
            HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() == 200) {
          return;
        }
      } catch (IOException notYet) {
        // not listening yet
      }
      Thread.sleep(500);
    }
    throw new IllegalStateException(proc + " not ready after 90 s; see " + proc.log());
  }

  private void kafka(String action) throws IOException, InterruptedException {
    List<String> command = List.of("bash", root.resolve("deploy/local/kafka.sh").toString(), action);
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(logs.resolve("kafka-" + action + ".log").toFile()));
    builder.environment().putAll(kafkaEnv);
    builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
    int exit = builder.start().waitFor();
    if (exit != 0) {
      throw new IllegalStateException("kafka.sh " + action + " failed (" + exit + "); see " + logs);
    }
  }

  @Override
  public void close() throws Exception {
    // Services first (they drain into Kafka), then peers, then the broker.
    for (int i = procs.size() - 1; i >= 0; i--) {
      procs.get(i).close();
    }
    kafka("stop");
  }
}
