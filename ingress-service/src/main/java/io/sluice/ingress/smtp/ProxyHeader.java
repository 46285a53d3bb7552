package io.sluice.ingress.smtp;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Arrays;

/**
 * The PROXY protocol version 2 header a load balancer sends before anything else on a connection
 * (HAProxy's proxy-protocol.txt, section 2.2): a 12-octet signature, version and command, address
 * family and transport, a 16-bit length, the addresses, then TLVs. Only the binary version 2 is
 * understood; the text version 1 and anything else is {@link Result.Malformed}.
 */
public final class ProxyHeader {
  static final byte[] SIGNATURE = {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A};
  /** Signature, version/command, family/transport, length. */
  static final int FIXED_LENGTH = 16;
  /**
   * Most octets accepted after the fixed part: the IPv6 addresses (36) plus TLVs (haproxy sends
   * e.g. ALPN, authority, unique id and SSL details). The format allows 65535; a bound keeps a
   * hostile peer from making every session hold that much.
   */
  static final int MAX_VARIABLE_LENGTH = 1024;

  private static final int COMMAND_LOCAL = 0x0;
  private static final int COMMAND_PROXY = 0x1;
  private static final int FAMILY_INET = 0x1;
  private static final int FAMILY_INET6 = 0x2;
  private static final int TRANSPORT_STREAM = 0x1;

  private ProxyHeader() {}

  /** What the header said. */
  public sealed interface Result {
    /** PROXY over TCP: the client the load balancer accepted, and the address it connected to. */
    record Proxied(InetSocketAddress source, InetSocketAddress destination) implements Result {}

    /** LOCAL: the proxy's own connection (a health check); the real endpoints apply. */
    record Local() implements Result {}

    /** Not a header we accept; {@code why} is for the log. */
    record Malformed(String why) implements Result {}
  }

  /**
   * Reads exactly the header from {@code socket}, nothing after it, so that the SMTP (or TLS) bytes
   * that follow are left for the session. The whole header must arrive within {@code timeout}, so a
   * client that drips or sends nothing cannot hold the connection.
   *
   * @throws SocketTimeoutException when the header did not arrive in time
   * @throws IOException when the connection failed or closed before the header was complete
   */
  public static Result read(Socket socket, Duration timeout) throws IOException {
    long end = System.nanoTime() + timeout.toNanos();
    InputStream in = socket.getInputStream();
    byte[] fixed = new byte[FIXED_LENGTH];
    int got = 0;
    while (got < FIXED_LENGTH) {
      int n = readSome(socket, in, fixed, got, FIXED_LENGTH - got, end);
      // Check what has arrived at once: a client that speaks SMTP (or v1 text) first is refused
      // without waiting for the timeout.
      int upTo = Math.min(got + n, SIGNATURE.length);
      if (got < upTo && !Arrays.equals(fixed, got, upTo, SIGNATURE, got, upTo)) {
        return new Result.Malformed("no PROXY v2 signature");
      }
      got += n;
    }
    int length = ((fixed[14] & 0xFF) << 8) | (fixed[15] & 0xFF);
    if (length > MAX_VARIABLE_LENGTH) {
      return new Result.Malformed("header length " + length + " exceeds " + MAX_VARIABLE_LENGTH);
    }
    byte[] rest = new byte[length];
    got = 0;
    while (got < length) {
      got += readSome(socket, in, rest, got, length - got, end);
    }
    return parse(fixed, rest);
  }

  private static int readSome(Socket socket, InputStream in, byte[] into, int offset, int max, long end)
      throws IOException {
    long left = (end - System.nanoTime()) / 1_000_000;
    if (left <= 0) {
      throw new SocketTimeoutException("PROXY header not received in time");
    }
    socket.setSoTimeout((int) Math.min(Integer.MAX_VALUE, left));
    int n = in.read(into, offset, max);
    if (n < 0) {
      throw new java.io.EOFException("connection closed inside the PROXY header");
    }
    return n;
  }

  /** Interprets a complete header: the 16 fixed octets and the {@code length} octets after them. */
  static Result parse(byte[] fixed, byte[] rest) {
    if (!Arrays.equals(fixed, 0, SIGNATURE.length, SIGNATURE, 0, SIGNATURE.length)) {
      return new Result.Malformed("no PROXY v2 signature");
    }
    int version = (fixed[12] & 0xF0) >> 4;
    int command = fixed[12] & 0x0F;
    if (version != 2) {
      return new Result.Malformed("version " + version);
    }
    if (command == COMMAND_LOCAL) {
      // The spec: accept it, discard the protocol block whatever family it names, use the real endpoints.
      return new Result.Local();
    }
    if (command != COMMAND_PROXY) {
      return new Result.Malformed("command " + command);
    }
    int family = (fixed[13] & 0xF0) >> 4;
    int transport = fixed[13] & 0x0F;
    if (transport != TRANSPORT_STREAM || (family != FAMILY_INET && family != FAMILY_INET6)) {
      // SMTP is TCP; UNSPEC, UNIX sockets and datagrams have no client address to use.
      return new Result.Malformed("family " + family + " transport " + transport + " is not TCP over IPv4/IPv6");
    }
    int addressLength = family == FAMILY_INET ? 4 : 16;
    int blockLength = 2 * addressLength + 4;
    if (rest.length < blockLength) {
      return new Result.Malformed("address block of " + rest.length + " octets, need " + blockLength);
    }
    if (!tlvsWellFormed(rest, blockLength)) {
      return new Result.Malformed("bad TLV");
    }
    try {
      InetAddress source = InetAddress.getByAddress(Arrays.copyOfRange(rest, 0, addressLength));
      InetAddress destination = InetAddress.getByAddress(Arrays.copyOfRange(rest, addressLength, 2 * addressLength));
      int sourcePort = port(rest, 2 * addressLength);
      int destinationPort = port(rest, 2 * addressLength + 2);
      return new Result.Proxied(new InetSocketAddress(source, sourcePort), new InetSocketAddress(destination, destinationPort));
    } catch (UnknownHostException e) {
      return new Result.Malformed("bad address: " + e.getMessage()); // cannot happen for 4 or 16 octets
    }
  }

  private static int port(byte[] b, int at) {
    return ((b[at] & 0xFF) << 8) | (b[at + 1] & 0xFF);
  }

  /**
   * TLVs (type, 16-bit length, value) are skipped, not interpreted, but they must tile the rest of
   * the header exactly: a length running past the end means the sender and we disagree on framing.
   */
  private static boolean tlvsWellFormed(byte[] rest, int from) {
    int at = from;
    while (at < rest.length) {
      if (rest.length - at < 3) {
        return false;
      }
      int length = port(rest, at + 1);
      at += 3 + length;
    }
    return at == rest.length;
  }
}
