import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The local stack's final destination: a small SMTP server that writes every message it accepts to
 * a folder, one {@code .eml} file per recipient, as a mailbox delivery agent would (with
 * {@code Return-Path} and {@code Delivered-To} prepended). local mode routes the demo domain here,
 * so a new user can watch mail go all the way through without internet access.
 *
 * <p>Run with a JDK 21+ and no build step: {@code java deploy/local/CaptureSink.java <port> <dir>}.
 * It listens on 127.0.0.1 only. It is a demo sink, not a mail server: no TLS, no AUTH, and it
 * accepts every recipient.
 */
public final class CaptureSink {
  private static final int MAX_LINE = 1000;
  private static final long MAX_MESSAGE = 64L * 1024 * 1024;
  private static final AtomicLong SEQUENCE = new AtomicLong();

  public static void main(String[] args) throws IOException {
    int port = args.length > 0 ? Integer.parseInt(args[0]) : 2526;
    Path dir = Path.of(args.length > 1 ? args[1] : "captured");
    Files.createDirectories(dir);
    try (ServerSocket server = new ServerSocket()) {
      server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
      System.out.println("capture sink: SMTP on 127.0.0.1:" + server.getLocalPort() + ", writing to " + dir.toAbsolutePath());
      while (true) {
        Socket socket = server.accept();
        Thread.ofVirtual().start(() -> serve(socket, dir));
      }
    }
  }

  private static void serve(Socket socket, Path dir) {
    try (socket; InputStream in = new BufferedInputStream(socket.getInputStream());
        OutputStream out = socket.getOutputStream()) {
      socket.setSoTimeout(300_000);
      reply(out, "220 capture.sluice.test ESMTP capture sink");
      String sender = null;
      List<String> recipients = new ArrayList<>();
      while (true) {
        String line = readLine(in);
        if (line == null) {
          return;
        }
        String verb = line.length() >= 4 ? line.substring(0, 4).toUpperCase(Locale.ROOT) : line.toUpperCase(Locale.ROOT);
        switch (verb) {
          case "EHLO" -> reply(out, "250-capture.sluice.test\r\n250-PIPELINING\r\n250-8BITMIME\r\n250-SMTPUTF8\r\n250 SIZE " + MAX_MESSAGE);
          case "HELO" -> reply(out, "250 capture.sluice.test");
          case "MAIL" -> {
            sender = path(line);
            recipients.clear();
            reply(out, "250 2.1.0 Ok");
          }
          case "RCPT" -> {
            if (sender == null) {
              reply(out, "503 5.5.1 MAIL first");
            } else {
              recipients.add(path(line));
              reply(out, "250 2.1.5 Ok");
            }
          }
          case "DATA" -> {
            if (recipients.isEmpty()) {
              reply(out, "503 5.5.1 RCPT first");
              continue;
            }
            reply(out, "354 End data with <CR><LF>.<CR><LF>");
            byte[] message = readData(in);
            if (message == null) {
              return;
            }
            for (String rcpt : recipients) {
              store(dir, sender, rcpt, message);
            }
            reply(out, "250 2.0.0 Ok: captured " + recipients.size() + " cop" + (recipients.size() == 1 ? "y" : "ies"));
            sender = null;
            recipients.clear();
          }
          case "RSET" -> {
            sender = null;
            recipients.clear();
            reply(out, "250 2.0.0 Ok");
          }
          case "NOOP" -> reply(out, "250 2.0.0 Ok");
          case "QUIT" -> {
            reply(out, "221 2.0.0 Bye");
            return;
          }
          default -> reply(out, "502 5.5.2 Command not implemented");
        }
      }
    } catch (IOException e) {
      System.err.println("capture sink: session ended: " + e.getMessage());
    }
  }

  private static String path(String line) {
    int open = line.indexOf('<');
    int close = line.indexOf('>', open + 1);
    return open >= 0 && close > open ? line.substring(open + 1, close) : "";
  }

  private static void store(Path dir, String sender, String rcpt, byte[] message) throws IOException {
    String name = Instant.now().toEpochMilli() + "-" + SEQUENCE.incrementAndGet() + "-" + rcpt.replaceAll("[^A-Za-z0-9@._-]", "_") + ".eml";
    Path tmp = dir.resolve("." + name + ".tmp");
    try (OutputStream file = Files.newOutputStream(tmp)) {
      file.write(("Return-Path: <" + sender + ">\r\nDelivered-To: " + rcpt + "\r\n").getBytes(StandardCharsets.UTF_8));
      file.write(message);
    }
    // Readers never see a half-written file.
    Files.move(tmp, dir.resolve(name), StandardCopyOption.ATOMIC_MOVE);
    System.out.println("capture sink: " + dir.resolve(name));
  }

  /** Reads DATA up to CRLF.CRLF, undoing dot-stuffing (RFC 5321 §4.5.2). */
  private static byte[] readData(InputStream in) throws IOException {
    ByteArrayOutputStream message = new ByteArrayOutputStream();
    while (true) {
      String line = readLine(in);
      if (line == null) {
        return null;
      }
      if (line.equals(".")) {
        return message.toByteArray();
      }
      if (message.size() < MAX_MESSAGE) {
        message.write((line.startsWith(".") ? line.substring(1) : line).getBytes(StandardCharsets.ISO_8859_1));
        message.write('\r');
        message.write('\n');
      }
    }
  }

  /** One CRLF-terminated line as ISO-8859-1 (bytes kept as they are), or null at end of stream. */
  private static String readLine(InputStream in) throws IOException {
    StringBuilder line = new StringBuilder();
    int previous = -1;
    while (true) {
      int b = in.read();
      if (b < 0) {
        return null;
      }
      if (b == '\n' && previous == '\r') {
        line.setLength(line.length() - 1);
        return line.toString();
      }
      if (line.length() < MAX_LINE * 64) {
        line.append((char) b);
      }
      previous = b;
    }
  }

  private static void reply(OutputStream out, String text) throws IOException {
    out.write((text + "\r\n").getBytes(StandardCharsets.US_ASCII));
    out.flush();
  }
}
