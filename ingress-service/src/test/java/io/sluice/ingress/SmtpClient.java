package io.sluice.ingress;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** A raw SMTP client for tests: exact bytes out, whole replies in. */
public final class SmtpClient implements AutoCloseable {
  private Socket socket;
  private InputStream in;
  private OutputStream out;

  public SmtpClient(int port) throws IOException {
    socket = new Socket("127.0.0.1", port);
    socket.setSoTimeout(60_000);
    in = socket.getInputStream();
    out = socket.getOutputStream();
  }

  /** Connects to an implicit-TLS listener. */
  public static SmtpClient implicitTls(int port) throws Exception {
    SmtpClient c = new SmtpClient(port);
    c.upgradeToTls();
    return c;
  }

  /** Runs the client side of a TLS handshake over the connection (after "220 Ready to start TLS"). */
  public void upgradeToTls() throws Exception {
    javax.net.ssl.SSLSocket ssl = (javax.net.ssl.SSLSocket) TestTls.clientContext().getSocketFactory()
        .createSocket(socket, "ingress.test", socket.getPort(), true);
    ssl.setUseClientMode(true);
    ssl.startHandshake();
    socket = ssl;
    in = ssl.getInputStream();
    out = ssl.getOutputStream();
  }

  public void setTimeout(int millis) throws IOException {
    socket.setSoTimeout(millis);
  }

  /** Reads one (possibly multi-line) reply and returns its lines joined by "\n". */
  public String reply() throws IOException {
    List<String> lines = new ArrayList<>();
    while (true) {
      String line = line();
      if (line == null) {
        return lines.isEmpty() ? null : String.join("\n", lines);
      }
      lines.add(line);
      if (line.length() < 4 || line.charAt(3) != '-') {
        return String.join("\n", lines);
      }
    }
  }

  private String line() throws IOException {
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    int b;
    while ((b = in.read()) >= 0) {
      if (b == '\n') {
        byte[] bytes = buf.toByteArray();
        int len = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
        return new String(bytes, 0, len, StandardCharsets.UTF_8);
      }
      buf.write(b);
    }
    return null;
  }

  public void send(String raw) throws IOException {
    send(raw.getBytes(StandardCharsets.UTF_8));
  }

  public void send(byte[] raw) throws IOException {
    out.write(raw);
    out.flush();
  }

  /** Sends one command line (CRLF added) and returns the reply. */
  public String command(String line) throws IOException {
    send(line + "\r\n");
    return reply();
  }

  /** True when the server closes the connection: reads (and ignores) what is left until EOF. */
  public boolean closedByServer() throws IOException {
    try {
      byte[] sink = new byte[4096];
      while (in.read(sink) >= 0) {
        // a TLS alert, say
      }
      return true;
    } catch (java.net.SocketTimeoutException e) {
      return false;
    } catch (IOException e) {
      return true; // reset, or the TLS layer noticed the close
    }
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
