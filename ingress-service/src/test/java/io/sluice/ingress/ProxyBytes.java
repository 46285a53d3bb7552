package io.sluice.ingress;

import java.io.ByteArrayOutputStream;
import java.net.InetAddress;

/** Builds PROXY protocol v2 headers byte by byte, as a load balancer sends them. */
public final class ProxyBytes {
  public static final byte[] SIGNATURE = {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A};

  private ProxyBytes() {}

  /** PROXY over TCP from {@code source}:{@code sourcePort} to {@code destination}:25, then {@code tlvs}. */
  public static byte[] proxy(String source, int sourcePort, String destination, byte[] tlvs) throws Exception {
    byte[] src = InetAddress.getByName(source).getAddress();
    byte[] dst = InetAddress.getByName(destination).getAddress();
    ByteArrayOutputStream block = new ByteArrayOutputStream();
    block.write(src);
    block.write(dst);
    block.write(new byte[] {(byte) (sourcePort >> 8), (byte) sourcePort, 0, 25});
    block.write(tlvs);
    int family = src.length == 4 ? 0x11 : 0x21; // INET or INET6, STREAM
    return header(0x21, family, block.toByteArray());
  }

  /** LOCAL (a health check by the proxy itself), with an empty UNSPEC block. */
  public static byte[] local() {
    return header(0x20, 0x00, new byte[0]);
  }

  /** Any header: version/command octet, family/transport octet, the rest. */
  public static byte[] header(int versionCommand, int familyTransport, byte[] rest) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(SIGNATURE);
    out.write(versionCommand);
    out.write(familyTransport);
    out.write(rest.length >> 8);
    out.write(rest.length);
    out.writeBytes(rest);
    return out.toByteArray();
  }

  /** One TLV: type, 16-bit length, value. */
  public static byte[] tlv(int type, byte[] value) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(type);
    out.write(value.length >> 8);
    out.write(value.length);
    out.writeBytes(value);
    return out.toByteArray();
  }
}
