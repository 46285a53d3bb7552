package io.sluice.delivery.transport;

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
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/**
 * A small SMTP server for tests, on a real TCP socket bound to an ephemeral port. It records every
 * transaction it accepts (envelope and the unstuffed data bytes). Behaviour is set by the fields.
 */
public final class TestSmtpServer implements AutoCloseable {
  public record Transaction(String mailFrom, List<String> rcpts, byte[] data, List<String> commands, boolean encrypted) {}

  public volatile String greeting = "220 test.invalid ESMTP ready";
  public volatile boolean ehlo = true;
  public volatile List<String> extensions = List.of("PIPELINING", "8BITMIME", "SIZE 10485760");
  public volatile Function<String, String> rcptReply = rcpt -> "250 2.1.5 Ok";
  public volatile String mailReply = "250 2.1.0 Ok";
  /** When positive, the server waits this long before answering the end of DATA (a slow destination). */
  public volatile int dataDelayMillis;
  /** When positive, RCPTs beyond this many accepted ones in a transaction get 452 4.5.3. */
  public volatile int maxRcptsPerTransaction;
  public volatile String dataReply = "250 2.0.0 Ok: queued";
  /** When set, EHLO offers STARTTLS and the server starts TLS with this context. */
  public volatile javax.net.ssl.SSLContext tls;
  /** The reply to STARTTLS when {@link #tls} is set; anything but 220 refuses it. */
  public volatile String startTlsReply = "220 2.0.0 Ready to start TLS";

  public final List<Transaction> transactions = new CopyOnWriteArrayList<>();
  public final java.util.concurrent.atomic.AtomicInteger connections = new java.util.concurrent.atomic.AtomicInteger();
  /** When positive, the server drops a connection after this long without a command (its idle timeout). */
  public volatile int idleDropMillis;
  public final List<String> allCommands = new CopyOnWriteArrayList<>();

  /** MAIL commands received so far: one per transaction a client started. */
  public long mailCommands() {
    return allCommands.stream().filter(c -> c.startsWith("MAIL")).count();
  }
  private final ServerSocket server;
  private final Thread acceptor;

  public TestSmtpServer() throws IOException {
    server = new ServerSocket();
    server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    acceptor = Thread.ofVirtual().start(this::acceptLoop);
  }

  public int port() {
    return server.getLocalPort();
  }

  public String hostPort() {
    return "127.0.0.1:" + port();
  }

  private void acceptLoop() {
    while (!server.isClosed()) {
      try {
        Socket s = server.accept();
        connections.incrementAndGet();
        Thread.ofVirtual().start(() -> session(s));
      } catch (IOException e) {
        return;
      }
    }
  }

  private void session(Socket plain) {
    Socket socket = plain;
    boolean encrypted = false;
    try (plain) {
      if (idleDropMillis > 0) {
        socket.setSoTimeout(idleDropMillis);
      }
      InputStream in = new BufferedInputStream(socket.getInputStream());
      OutputStream out = socket.getOutputStream();
      reply(out, greeting);
      if (!greeting.startsWith("220")) {
        String line;
        while ((line = readLine(in)) != null) {
          allCommands.add(line);
          if (line.equalsIgnoreCase("QUIT")) {
            reply(out, "221 bye");
            return;
          }
          reply(out, "503 5.5.1 no service");
        }
        return;
      }
      String from = null;
      List<String> rcpts = new ArrayList<>();
      List<String> commands = new ArrayList<>();
      String line;
      while ((line = readLine(in)) != null) {
        allCommands.add(line);
        commands.add(line);
        String upper = line.toUpperCase();
        if (upper.startsWith("EHLO")) {
          if (!ehlo) {
            reply(out, "502 5.5.2 EHLO not implemented");
            continue;
          }
          StringBuilder r = new StringBuilder("250");
          List<String> ext = new ArrayList<>(extensions);
          if (tls != null && !encrypted) {
            ext.add("STARTTLS");
          }
          r.append(ext.isEmpty() ? " " : "-").append("test.invalid");
          for (int i = 0; i < ext.size(); i++) {
            r.append("\r\n250").append(i == ext.size() - 1 ? " " : "-").append(ext.get(i));
          }
          reply(out, r.toString());
        } else if (upper.startsWith("HELO")) {
          reply(out, "250 test.invalid");
        } else if (upper.startsWith("MAIL FROM:")) {
          from = line.substring(10);
          rcpts.clear();
          reply(out, mailReply);
        } else if (upper.startsWith("RCPT TO:")) {
          String arg = line.substring(8);
          String addr = arg.substring(arg.indexOf('<') + 1, arg.indexOf('>'));
          int max = maxRcptsPerTransaction;
          String r = max > 0 && rcpts.size() >= max ? "452 4.5.3 Too many recipients" : rcptReply.apply(addr);
          if (r.startsWith("2")) {
            rcpts.add(addr);
          }
          reply(out, r);
        } else if (upper.equals("DATA")) {
          if (rcpts.isEmpty()) {
            reply(out, "554 5.5.1 no valid recipients");
            continue;
          }
          reply(out, "354 End data with <CR><LF>.<CR><LF>");
          byte[] data = readData(in);
          if (dataDelayMillis > 0) {
            try {
              Thread.sleep(dataDelayMillis);
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
          }
          if (dataReply.startsWith("2")) {
            transactions.add(new Transaction(from, List.copyOf(rcpts), data, List.copyOf(commands), encrypted));
          }
          reply(out, dataReply);
        } else if (upper.equals("STARTTLS") && tls != null && !encrypted) {
          reply(out, startTlsReply);
          if (startTlsReply.startsWith("220")) {
            javax.net.ssl.SSLSocket ssl = (javax.net.ssl.SSLSocket) tls.getSocketFactory()
                .createSocket(socket, null, socket.getPort(), true);
            ssl.setUseClientMode(false);
            ssl.startHandshake();
            socket = ssl;
            in = new BufferedInputStream(ssl.getInputStream());
            out = ssl.getOutputStream();
            encrypted = true;
            from = null;
            rcpts.clear();
          }
        } else if (upper.equals("RSET")) {
          from = null;
          rcpts.clear();
          reply(out, "250 2.0.0 Ok");
        } else if (upper.equals("QUIT")) {
          reply(out, "221 2.0.0 Bye");
          return;
        } else {
          reply(out, "502 5.5.2 unknown command");
        }
      }
    } catch (IOException ignored) {
      // client went away
    }
  }

  private static void reply(OutputStream out, String text) throws IOException {
    out.write((text + "\r\n").getBytes(StandardCharsets.UTF_8));
    out.flush();
  }

  private static String readLine(InputStream in) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    int c;
    while ((c = in.read()) != -1) {
      if (c == '\n') {
        byte[] bytes = b.toByteArray();
        int len = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
        return new String(bytes, 0, len, StandardCharsets.UTF_8);
      }
      b.write(c);
    }
    return null;
  }

  /** Reads DATA lines up to CRLF.CRLF and removes dot-stuffing (RFC 5321 §4.5.2). */
  private static byte[] readData(InputStream in) throws IOException {
    ByteArrayOutputStream data = new ByteArrayOutputStream();
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    int c;
    while ((c = in.read()) != -1) {
      line.write(c);
      if (c == '\n') {
        byte[] l = line.toByteArray();
        line.reset();
        if (l.length == 3 && l[0] == '.' && l[1] == '\r') {
          return data.toByteArray();
        }
        int start = l.length > 0 && l[0] == '.' ? 1 : 0;
        data.write(l, start, l.length - start);
      }
    }
    throw new IOException("connection closed in DATA");
  }

  @Override
  public void close() throws IOException {
    server.close();
  }
}
