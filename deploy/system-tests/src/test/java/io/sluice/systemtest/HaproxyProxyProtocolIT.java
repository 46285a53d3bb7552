package io.sluice.systemtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.sluice.schema.SubmittedMessage;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * PROXY protocol v2 with the header written by haproxy (Debian's package), not by our own code:
 *
 * <pre>
 *   swaks from 127.0.0.9 ──▶ haproxy 127.0.0.1:F (send-proxy-v2) ──▶ ingress-proxy 127.0.0.1:P ──▶ Kafka
 * </pre>
 *
 * The PROXY listener belongs to a second ingress on the stack's broker, so that the relay listener
 * the other tests use keeps taking plain connections. Its trusted proxies are 127.0.0.1/32 only:
 * haproxy connects from there, swaks from 127.0.0.9, and the spoofing client from 127.0.0.10.
 */
@ExtendWith(SluiceStack.class)
class HaproxyProxyProtocolIT {
  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final String CLIENT = "127.0.0.9";
  private static final String UNTRUSTED = "127.0.0.10";
  private static final Pattern UNTRUSTED_REJECTIONS = Pattern.compile(
      "(?m)^sluice_ingress_rejections_total\\{[^}]*reason=\"proxy-untrusted\"[^}]*}\\s+(\\S+)$");

  private static Proc ingress;
  private static Proc haproxy;
  private static int ingressHttpPort;
  private static int proxyListenerPort;
  private static int haproxyPort;

  @BeforeAll
  static void startIngressBehindHaproxy() throws Exception {
    SluiceStack stack = SluiceStack.get();
    ingressHttpPort = Ports.free();
    proxyListenerPort = Ports.free();
    ingress = stack.startExtraIngress("ingress-proxy", ingressHttpPort,
        "-Dsluice.ingress.host=127.0.0.1",
        "-Dsluice.ingress.port=" + proxyListenerPort,
        "-Dsluice.ingress.proxy-protocol=true",
        "-Dsluice.ingress.trusted-proxies=127.0.0.1/32");

    haproxyPort = Ports.free();
    Path config = stack.logs().resolve("haproxy.cfg");
    Files.writeString(config, """
        defaults
            mode tcp
            timeout connect 5s
            timeout client 2m
            timeout server 2m

        frontend smtp
            bind 127.0.0.1:%d
            default_backend sluice_ingress

        backend sluice_ingress
            server ingress 127.0.0.1:%d send-proxy-v2
        """.formatted(haproxyPort, proxyListenerPort));
    haproxy = Proc.start("haproxy", stack.logs(), List.of("haproxy", "-db", "-f", config.toString()));
    Ports.awaitListening("127.0.0.1", haproxyPort, Duration.ofSeconds(10));
    haproxy.requireAlive();
  }

  @AfterAll
  static void stop() {
    if (haproxy != null) {
      haproxy.close();
    }
    if (ingress != null) {
      ingress.close();
    }
  }

  @Test
  void clientAddressFromHaproxysHeaderIsWhatIngressRecords() throws Exception {
    String marker = UUID.randomUUID().toString();
    String submitted = "From: <sender@ok.test>\r\n"
        + "To: <rcpt@ok.test>\r\n"
        + "Subject: through haproxy " + marker + "\r\n"
        + "Message-ID: <" + marker + "@ok.test>\r\n"
        + "Date: Mon, 23 Nov 2026 12:00:00 +0000\r\n"
        + "\r\n"
        + "Relayed by haproxy with a PROXY v2 header.\r\n";

    Swaks.Result result = Swaks.sendFrom(CLIENT, haproxyPort, "sender@ok.test", "rcpt@ok.test",
        submitted.getBytes(StandardCharsets.US_ASCII));
    assertThat(result.exitCode()).as(result.transcript()).isZero();
    String queueId = result.queueId();

    try (EventWatcher queue = EventWatcher.submitted()) {
      SubmittedMessage record = queue.awaitMessage(m -> m.queueId().equals(queueId), WAIT, "record " + queueId);
      // The TCP peer of ingress was haproxy at 127.0.0.1; the header carried swaks's address.
      assertThat(record.clientAddress()).isEqualTo(CLIENT);
      String content = new String(record.content(), StandardCharsets.US_ASCII);
      String received = content.substring(0, content.indexOf("\r\n" + submitted));
      assertThat(received).startsWith("Received: from client.systemtest ([" + CLIENT + "])")
          .doesNotContain("[127.0.0.1]");
    }
  }

  @Test
  void headerFromOutsideTrustedProxiesIsRefusedWithoutGreeting() throws Exception {
    double before = untrustedRejections();

    try (Socket socket = new Socket()) {
      socket.bind(new InetSocketAddress(InetAddress.getByName(UNTRUSTED), 0));
      socket.connect(new InetSocketAddress("127.0.0.1", proxyListenerPort), 5_000);
      socket.setSoTimeout(15_000);
      // A well-formed header that claims some other client; it must not be believed.
      socket.getOutputStream().write(proxyV2Header("192.0.2.1", 40000, "127.0.0.1", proxyListenerPort));
      socket.getOutputStream().flush();
      assertClosedWithoutAByte(socket.getInputStream());
    }

    // The counter is bumped before the socket is closed, so it is there once the close is seen.
    assertThat(untrustedRejections()).isEqualTo(before + 1);
  }

  private static void assertClosedWithoutAByte(InputStream in) throws Exception {
    int first;
    try {
      first = in.read();
    } catch (SocketException reset) {
      return; // closed while our header was unread: a reset instead of an orderly FIN
    }
    if (first != -1) {
      byte[] rest = in.readNBytes(in.available());
      fail("the PROXY listener answered an untrusted peer: " + (char) first
          + new String(rest, StandardCharsets.US_ASCII));
    }
  }

  /** A PROXY protocol v2 header, command PROXY, TCP over IPv4, no TLVs. */
  private static byte[] proxyV2Header(String source, int sourcePort, String destination, int destinationPort)
      throws Exception {
    ByteBuffer header = ByteBuffer.allocate(28);
    header.put(new byte[] {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A});
    header.put((byte) 0x21).put((byte) 0x11).putShort((short) 12);
    header.put(InetAddress.getByName(source).getAddress()).put(InetAddress.getByName(destination).getAddress());
    header.putShort((short) sourcePort).putShort((short) destinationPort);
    return header.array();
  }

  private static double untrustedRejections() throws Exception {
    HttpResponse<String> response = HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + ingressHttpPort + "/q/metrics")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).isEqualTo(200);
    Matcher m = UNTRUSTED_REJECTIONS.matcher(response.body());
    return m.find() ? Double.parseDouble(m.group(1)) : 0;
  }
}
