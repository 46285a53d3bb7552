package io.sluice.delivery.transport;

import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ProtocolException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

/**
 * One blocking TCP connection to an SMTP server. Blocking is cheap here: every connection runs on a
 * virtual thread. Reads carry a timeout per step; writes are guarded by a watchdog that closes the
 * socket when a block of data is not taken within its timeout (a socket write has no timeout of
 * its own), give or take {@link #WATCHDOG_PERIOD}.
 */
public final class SmtpConnection implements Closeable {
  /** RFC 5321 §4.5.3.1.5 allows 512 octets; be generous with servers that send longer lines. */
  private static final int MAX_REPLY_LINE = 4096;

  private static final int MAX_REPLY_LINES = 200;
  private static final int WRITE_BLOCK = 64 * 1024;
  /**
   * Connections in the middle of a write. A socket write has no timeout of its own, so one daemon
   * thread closes those whose write has not finished by its deadline. A task scheduled (and
   * cancelled) per write woke that thread on nearly every write at full rate; an entry in this set
   * costs no system call.
   */
  private static final Set<SmtpConnection> WRITING = ConcurrentHashMap.newKeySet();

  /** How often the watchdog looks; a blocked write is noticed at most this long after its timeout. */
  private static final Duration WATCHDOG_PERIOD = Duration.ofMillis(200);

  static {
    Thread.ofPlatform().daemon().name("smtp-write-watchdog").start(SmtpConnection::watchWrites);
  }

  private static void watchWrites() {
    while (true) {
      try {
        Thread.sleep(WATCHDOG_PERIOD);
      } catch (InterruptedException e) {
        return;
      }
      long now = System.nanoTime();
      for (SmtpConnection c : WRITING) {
        if (now - c.writeDeadline > 0) {
          c.writeTimedOut = true;
          c.closeQuietly();
        }
      }
    }
  }

  private volatile Socket socket;
  private InputStream in;
  // Our own read buffer: replies are read byte by byte, and a BufferedInputStream takes a lock on
  // every read() call.
  private final byte[] buffer = new byte[8192];
  private int position;
  private int limit;
  private OutputStream out;
  private final String remote;
  private boolean encrypted;
  /** System.nanoTime() by which the current write must be done; read by the watchdog. */
  private volatile long writeDeadline;
  private volatile boolean writeTimedOut;

  private SmtpConnection(Socket socket, String remote) throws IOException {
    this.socket = socket;
    this.in = socket.getInputStream();
    this.out = socket.getOutputStream();
    this.remote = remote;
  }

  public static SmtpConnection open(InetSocketAddress address, String hostName, Duration connectTimeout)
      throws IOException {
    Socket socket = new Socket();
    try {
      socket.setTcpNoDelay(true);
      socket.connect(address, (int) Math.max(1, connectTimeout.toMillis()));
    } catch (IOException e) {
      socket.close();
      throw e;
    }
    return new SmtpConnection(socket, hostName + "[" + address.getAddress().getHostAddress() + "]:" + address.getPort());
  }

  /** {@code name[address]:port}, as recorded in events as the remote MTA. */
  public String remote() {
    return remote;
  }

  public SmtpReply readReply(Duration timeout) throws IOException {
    socket.setSoTimeout((int) Math.max(1, timeout.toMillis()));
    List<String> texts = new ArrayList<>();
    int code = -1;
    while (true) {
      String line = readLine();
      if (line.length() < 3 || !Character.isDigit(line.charAt(0)) || !Character.isDigit(line.charAt(1))
          || !Character.isDigit(line.charAt(2))) {
        throw new ProtocolException("malformed reply line from " + remote + ": " + abbreviate(line));
      }
      int lineCode = Integer.parseInt(line.substring(0, 3));
      if (code == -1) {
        code = lineCode;
      } else if (lineCode != code) {
        throw new ProtocolException("reply code changed within a multiline reply from " + remote);
      }
      boolean more = line.length() > 3 && line.charAt(3) == '-';
      texts.add(line.length() > 4 ? line.substring(4) : "");
      if (!more) {
        break;
      }
      if (texts.size() > MAX_REPLY_LINES) {
        throw new ProtocolException("reply from " + remote + " has too many lines");
      }
    }
    if (code < 200 || code > 599) {
      throw new ProtocolException("reply code out of range from " + remote + ": " + code);
    }
    return SmtpReply.of(code, texts);
  }

  private String readLine() throws IOException {
    byte[] line = new byte[128];
    int size = 0;
    while (true) {
      if (position == limit) {
        int n = in.read(buffer, 0, buffer.length);
        if (n == -1) {
          throw new java.io.EOFException("connection closed by " + remote);
        }
        position = 0;
        limit = n;
      }
      byte b = buffer[position++];
      if (b == '\n') {
        break;
      }
      if (size >= MAX_REPLY_LINE) {
        throw new ProtocolException("reply line from " + remote + " exceeds " + MAX_REPLY_LINE + " octets");
      }
      if (size == line.length) {
        line = java.util.Arrays.copyOf(line, Math.min(MAX_REPLY_LINE, size * 2));
      }
      line[size++] = b;
    }
    int length = size > 0 && line[size - 1] == '\r' ? size - 1 : size;
    // Servers that offer SMTPUTF8 may send UTF-8 text (RFC 6531 §3.7.4).
    return new String(line, 0, length, StandardCharsets.UTF_8);
  }

  /** Sends command lines (each without CRLF) in one write, as PIPELINING allows (RFC 2920 §3.1). */
  public void send(List<String> commands, Duration timeout) throws IOException {
    ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    for (String command : commands) {
      buffer.writeBytes(command.getBytes(StandardCharsets.UTF_8));
      buffer.write('\r');
      buffer.write('\n');
    }
    write(buffer.toByteArray(), timeout);
  }

  public void send(String command, Duration timeout) throws IOException {
    send(List.of(command), timeout);
  }

  /** Writes raw bytes (already dot-stuffed message data), block by block, each within the timeout. */
  public void write(byte[] bytes, Duration blockTimeout) throws IOException {
    for (int offset = 0; offset < bytes.length; offset += WRITE_BLOCK) {
      int length = Math.min(WRITE_BLOCK, bytes.length - offset);
      writeDeadline = System.nanoTime() + blockTimeout.toNanos();
      WRITING.add(this);
      try {
        out.write(bytes, offset, length);
      } catch (IOException e) {
        if (writeTimedOut) {
          throw new SocketTimeoutException("write to " + remote + " blocked longer than " + blockTimeout);
        }
        throw e;
      } finally {
        WRITING.remove(this);
      }
    }
    out.flush();
  }

  /**
   * Switches to TLS after the server's 220 to STARTTLS (RFC 3207 §4). Anything the server sent
   * after that 220 in plaintext would be read as if it came through TLS (the CVE-2011-0411 class of
   * injection), so it is refused; the old buffer is dropped either way.
   */
  public void startTls(SSLSocketFactory factory, String hostName, Duration timeout) throws IOException {
    if (position < limit || in.available() > 0) {
      throw new ProtocolException(remote + " sent data after its 220 reply to STARTTLS; refusing to go on");
    }
    SSLSocket ssl = (SSLSocket) factory.createSocket(socket, hostName, socket.getPort(), true);
    ssl.setUseClientMode(true);
    ssl.setSoTimeout((int) Math.max(1, timeout.toMillis()));
    ssl.startHandshake();
    socket = ssl;
    in = ssl.getInputStream();
    position = 0;
    limit = 0;
    out = ssl.getOutputStream();
    encrypted = true;
  }

  public boolean isEncrypted() {
    return encrypted;
  }

  /** Protocol and cipher suite after STARTTLS, for logs; null in plaintext. */
  public String tlsDescription() {
    return socket instanceof SSLSocket ssl && encrypted
        ? ssl.getSession().getProtocol() + " " + ssl.getSession().getCipherSuite() : null;
  }

  public boolean isClosed() {
    return socket.isClosed();
  }

  private void closeQuietly() {
    try {
      socket.close();
    } catch (IOException ignored) {
      // already gone
    }
  }

  @Override
  public void close() {
    closeQuietly();
  }

  private static String abbreviate(String s) {
    return s.length() > 80 ? s.substring(0, 80) + "..." : s;
  }
}
