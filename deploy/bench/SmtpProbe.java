import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Benchmark client for the measurements smtp-source cannot make. Single-file, no dependencies:
 * {@code java deploy/bench/SmtpProbe.java <mode> ...}.
 *
 * <ul>
 *   <li>{@code latency <host> <port> <sessions> <messages-per-session> <size>}: each session sends
 *       its messages over one connection and times the end of DATA (the final ".") to the 250
 *       reply, the acceptance latency a client sees. Prints count, msg/s, p50, p99, max.
 *   <li>{@code idle <host> <port> <sessions> <hold-seconds>}: opens that many sessions, says EHLO
 *       on each, and holds them open; prints how many were established and greeted. The caller
 *       measures the server's memory meanwhile.
 * </ul>
 */
public final class SmtpProbe {
  public static void main(String[] args) throws Exception {
    switch (args.length > 0 ? args[0] : "") {
      case "latency" -> latency(args[1], Integer.parseInt(args[2]), Integer.parseInt(args[3]),
          Integer.parseInt(args[4]), Integer.parseInt(args[5]));
      case "idle" -> idle(args[1], Integer.parseInt(args[2]), Integer.parseInt(args[3]), Integer.parseInt(args[4]));
      default -> {
        System.err.println("usage: SmtpProbe latency <host> <port> <sessions> <messages> <size> | idle <host> <port> <sessions> <hold-seconds>");
        System.exit(2);
      }
    }
  }

  private static void latency(String host, int port, int sessions, int messages, int size) throws Exception {
    byte[] body = message(size);
    long[][] perSession = new long[sessions][];
    AtomicInteger failures = new AtomicInteger();
    List<Thread> threads = new ArrayList<>();
    long start = System.nanoTime();
    for (int s = 0; s < sessions; s++) {
      int index = s;
      threads.add(Thread.ofVirtual().start(() -> {
        try {
          perSession[index] = session(host, port, messages, body);
        } catch (IOException e) {
          failures.incrementAndGet();
          System.err.println("session failed: " + e);
          perSession[index] = new long[0];
        }
      }));
    }
    for (Thread t : threads) {
      t.join();
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    long[] all = Arrays.stream(perSession).flatMapToLong(Arrays::stream).filter(v -> v > 0).sorted().toArray();
    System.out.printf("messages=%d failed_sessions=%d seconds=%.2f msg_per_s=%.1f p50_ms=%.2f p99_ms=%.2f max_ms=%.2f%n",
        all.length, failures.get(), seconds, all.length / seconds, pct(all, 50), pct(all, 99),
        all.length == 0 ? 0 : all[all.length - 1] / 1e6);
  }

  private static long[] session(String host, int port, int messages, byte[] body) throws IOException {
    long[] latencies = new long[messages];
    try (Socket socket = new Socket()) {
      socket.setTcpNoDelay(true); // latency is the point: no Nagle delay on the final "."
      socket.connect(new InetSocketAddress(host, port), 10_000);
      socket.setSoTimeout(120_000);
      BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.ISO_8859_1));
      OutputStream out = socket.getOutputStream();
      expect(in, "220");
      command(out, in, "EHLO probe.bench.test", "250");
      for (int i = 0; i < messages; i++) {
        command(out, in, "MAIL FROM:<probe@bench.test>", "250");
        command(out, in, "RCPT TO:<sink@bench.test>", "250");
        command(out, in, "DATA", "354");
        out.write(body);
        long sent = System.nanoTime();
        out.write(".\r\n".getBytes(StandardCharsets.US_ASCII));
        out.flush();
        String reply = expect(in, "250");
        latencies[i] = System.nanoTime() - sent;
        if (reply == null) {
          latencies[i] = -1;
        }
      }
      command(out, in, "QUIT", "221");
    }
    return latencies;
  }

  private static void idle(String host, int port, int sessions, int holdSeconds) throws Exception {
    List<Socket> open = new ArrayList<>();
    AtomicInteger greeted = new AtomicInteger();
    CountDownLatch done = new CountDownLatch(sessions);
    List<Socket> sockets = java.util.Collections.synchronizedList(open);
    for (int s = 0; s < sessions; s++) {
      Thread.ofVirtual().start(() -> {
        try {
          Socket socket = new Socket();
          socket.connect(new InetSocketAddress(host, port), 30_000);
          socket.setSoTimeout(60_000);
          sockets.add(socket);
          BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.ISO_8859_1));
          expect(in, "220");
          command(socket.getOutputStream(), in, "EHLO idle.bench.test", "250");
          greeted.incrementAndGet();
        } catch (IOException e) {
          // counted as not greeted
        } finally {
          done.countDown();
        }
      });
    }
    done.await();
    System.out.printf("sessions_requested=%d sessions_greeted=%d%n", sessions, greeted.get());
    System.out.flush();
    Thread.sleep(holdSeconds * 1000L);
    synchronized (sockets) {
      for (Socket socket : sockets) {
        socket.close();
      }
    }
  }

  private static void command(OutputStream out, BufferedReader in, String line, String code) throws IOException {
    out.write((line + "\r\n").getBytes(StandardCharsets.US_ASCII));
    out.flush();
    expect(in, code);
  }

  /** Reads a (possibly multi-line) reply and fails unless it has the expected code. */
  private static String expect(BufferedReader in, String code) throws IOException {
    String line;
    do {
      line = in.readLine();
      if (line == null) {
        throw new IOException("connection closed while waiting for " + code);
      }
    } while (line.length() > 3 && line.charAt(3) == '-');
    if (!line.startsWith(code)) {
      throw new IOException("expected " + code + ", got: " + line);
    }
    return line;
  }

  private static byte[] message(int size) {
    StringBuilder sb = new StringBuilder("From: probe@bench.test\r\nTo: sink@bench.test\r\nSubject: bench\r\n\r\n");
    while (sb.length() < size) {
      sb.append("0123456789abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz\r\n");
    }
    return sb.toString().getBytes(StandardCharsets.US_ASCII);
  }

  private static double pct(long[] sorted, int p) {
    if (sorted.length == 0) {
      return 0;
    }
    int index = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
    return sorted[Math.max(0, index)] / 1e6;
  }
}
