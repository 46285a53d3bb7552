import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * A slow SMTP destination for deploy/bench/delivery-slow.sh: like {@code smtp-sink -w}, it waits
 * before answering DATA, but each session runs on its own virtual thread, so the wait of one
 * session never delays another. (smtp-sink -w 1 tops out near 200 messages/s whatever the number
 * of sessions, so it cannot show a client's concurrency beyond that.) Stores nothing.
 *
 *   java SlowSink.java <address> <port> <delay-ms>
 */
public final class SlowSink {
  public static void main(String[] args) throws IOException {
    long delay = Long.parseLong(args[2]);
    try (ServerSocket server = new ServerSocket()) {
      server.bind(new InetSocketAddress(InetAddress.getByName(args[0]), Integer.parseInt(args[1])), 4096);
      while (true) {
        Socket s = server.accept();
        Thread.ofVirtual().start(() -> session(s, delay));
      }
    }
  }

  private static void session(Socket socket, long delay) {
    try (socket) {
      BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.ISO_8859_1));
      OutputStream out = socket.getOutputStream();
      reply(out, "220 slow-sink ESMTP");
      String line;
      while ((line = in.readLine()) != null) {
        String verb = line.length() >= 4 ? line.substring(0, 4).toUpperCase() : line.toUpperCase();
        switch (verb) {
          case "EHLO" -> reply(out, "250-slow-sink\r\n250 PIPELINING");
          case "DATA" -> {
            Thread.sleep(delay);
            reply(out, "354 End data with <CR><LF>.<CR><LF>");
            while ((line = in.readLine()) != null && !line.equals(".")) {
              // discard the message
            }
            reply(out, "250 2.0.0 Ok: queued");
          }
          case "QUIT" -> {
            reply(out, "221 2.0.0 Bye");
            return;
          }
          default -> reply(out, "250 2.0.0 Ok"); // HELO, MAIL, RCPT, RSET, NOOP
        }
      }
    } catch (IOException | InterruptedException e) {
      // the client went away
    }
  }

  private static void reply(OutputStream out, String text) throws IOException {
    out.write((text + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
    out.flush();
  }
}
