package io.sluice.ingress.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.ingress.ProxyBytes;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class ProxyHeaderTest {
  private static ProxyHeader.Result parse(byte[] header) {
    return ProxyHeader.parse(Arrays.copyOf(header, 16), Arrays.copyOfRange(header, 16, header.length));
  }

  @Test
  void ipv4ProxyGivesTheClientAndTheAddressItReached() throws Exception {
    assertThat(parse(ProxyBytes.proxy("198.51.100.7", 40000, "192.0.2.1", new byte[0])))
        .isEqualTo(new ProxyHeader.Result.Proxied(new InetSocketAddress("198.51.100.7", 40000),
            new InetSocketAddress("192.0.2.1", 25)));
  }

  @Test
  void ipv6ProxyWithTlvsSkipsTheTlvs() throws Exception {
    byte[] tlvs = concat(ProxyBytes.tlv(0x01, "smtp".getBytes(StandardCharsets.US_ASCII)),
        ProxyBytes.tlv(0x05, new byte[20]), ProxyBytes.tlv(0x04, new byte[0]));
    ProxyHeader.Result r = parse(ProxyBytes.proxy("2001:db8::25", 65535, "2001:db8::1", tlvs));
    assertThat(r).isEqualTo(new ProxyHeader.Result.Proxied(new InetSocketAddress("2001:db8::25", 65535),
        new InetSocketAddress("2001:db8::1", 25)));
  }

  @Test
  void localIgnoresWhateverBlockItCarries() throws Exception {
    assertThat(parse(ProxyBytes.local())).isInstanceOf(ProxyHeader.Result.Local.class);
    byte[] withBlock = ProxyBytes.proxy("198.51.100.7", 1, "192.0.2.1", new byte[0]);
    withBlock[12] = 0x20;
    assertThat(parse(withBlock)).isInstanceOf(ProxyHeader.Result.Local.class);
  }

  @Test
  void whatIsNotTcpOverIpOrNotVersionTwoIsMalformed() throws Exception {
    byte[] v4 = ProxyBytes.proxy("198.51.100.7", 1, "192.0.2.1", new byte[0]);
    byte[] udp = v4.clone();
    udp[13] = 0x12;
    byte[] unspec = v4.clone();
    unspec[13] = 0x01;
    byte[] version1 = v4.clone();
    version1[12] = 0x11;
    byte[] unknownCommand = v4.clone();
    unknownCommand[12] = 0x22;
    byte[] badSignature = v4.clone();
    badSignature[11] = 'X';
    for (byte[] h : new byte[][] {udp, unspec, version1, unknownCommand, badSignature}) {
      assertThat(parse(h)).isInstanceOf(ProxyHeader.Result.Malformed.class);
    }
  }

  @Test
  void aShortAddressBlockOrATlvRunningPastTheEndIsMalformed() throws Exception {
    assertThat(parse(ProxyBytes.header(0x21, 0x21, new byte[12]))).isInstanceOf(ProxyHeader.Result.Malformed.class);
    byte[] tlv = ProxyBytes.tlv(0x01, new byte[8]);
    byte[] truncated = Arrays.copyOf(tlv, tlv.length - 1);
    assertThat(parse(ProxyBytes.proxy("198.51.100.7", 1, "192.0.2.1", truncated)))
        .isInstanceOf(ProxyHeader.Result.Malformed.class);
    assertThat(parse(ProxyBytes.proxy("198.51.100.7", 1, "192.0.2.1", new byte[] {0x01, 0x00})))
        .isInstanceOf(ProxyHeader.Result.Malformed.class);
  }

  private static byte[] concat(byte[]... parts) {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.writeBytes(p);
    }
    return out.toByteArray();
  }
}
