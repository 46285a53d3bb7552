package io.sluice.delivery.route;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** A real dnsmasq on a free loopback port, answering for the zone {@code dtest} only. */
public final class Dnsmasq implements AutoCloseable {
  private Process process;
  private int port;
  private Path log;

  /** Starts dnsmasq on a free port; another process may grab the port first, so it tries a few. */
  public Dnsmasq(List<String> records) throws IOException, InterruptedException {
    IllegalStateException last = null;
    for (int i = 0; i < 5; i++) {
      try {
        start(records);
        return;
      } catch (IllegalStateException e) {
        last = e;
        if (process != null) {
          process.destroy();
        }
      }
    }
    throw last;
  }

  private void start(List<String> records) throws IOException, InterruptedException {
    try (DatagramSocket probe = new DatagramSocket(0, InetAddress.getLoopbackAddress());
        java.net.ServerSocket tcp = new java.net.ServerSocket(probe.getLocalPort(), 1, InetAddress.getLoopbackAddress())) {
      port = probe.getLocalPort();
    } catch (java.net.BindException e) {
      throw new IllegalStateException("port taken", e);
    }
    log = Files.createTempFile("dnsmasq", ".log");
    List<String> command = new ArrayList<>(List.of("dnsmasq", "--keep-in-foreground", "--conf-file=/dev/null",
        "--no-resolv", "--no-hosts", "--pid-file", "--port=" + port, "--listen-address=127.0.0.1",
        "--bind-interfaces", "--local=/dtest/", "--log-facility=-"));
    command.addAll(records);
    process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    awaitAnswering();
  }

  public String server() {
    return "127.0.0.1:" + port;
  }

  private void awaitAnswering() throws IOException, InterruptedException {
    Instant deadline = Instant.now().plus(Duration.ofSeconds(10));
    while (Instant.now().isBefore(deadline)) {
      if (!process.isAlive()) {
        throw new IllegalStateException("dnsmasq exited: " + Files.readString(log));
      }
      Process dig = new ProcessBuilder("dig", "+short", "+time=1", "+tries=1", "-p", String.valueOf(port), "@127.0.0.1",
          "probe.dtest", "A").redirectErrorStream(true).start();
      String out = new String(dig.getInputStream().readAllBytes());
      if (dig.waitFor() == 0 && !out.contains("timed out") && !out.contains("refused")) {
        return;
      }
      Thread.sleep(100);
    }
    throw new IllegalStateException("dnsmasq did not answer on port " + port + ": " + Files.readString(log));
  }

  @Override
  public void close() {
    if (process != null) {
      process.destroy();
    }
  }
}
