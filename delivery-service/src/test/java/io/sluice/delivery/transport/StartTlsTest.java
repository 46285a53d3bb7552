package io.sluice.delivery.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.delivery.route.TargetHost;
import io.sluice.schema.Recipient;
import java.io.InputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** STARTTLS policies against a real TLS-capable server (self-signed key made with keytool). */
class StartTlsTest {
  private static final byte[] MESSAGE = "Subject: tls\r\n\r\nsecret\r\n".getBytes(StandardCharsets.US_ASCII);
  private static SSLContext serverTls;

  private final List<TlsOutcome> tlsOutcomes = new java.util.concurrent.CopyOnWriteArrayList<>();
  private final SmtpClient client = new SmtpClient("client.test", SmtpTimeouts.uniform(Duration.ofSeconds(5)),
      ConnectionPool.none(), Tls.unverifiedClientFactory(), tlsOutcomes::add);
  private TestSmtpServer server;

  @BeforeAll
  static void makeKey() throws Exception {
    Path dir = Files.createTempDirectory("smtp-tls");
    Path store = dir.resolve("server.p12");
    String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
    Process p = new ProcessBuilder(keytool, "-genkeypair", "-alias", "smtp", "-keyalg", "EC", "-groupname", "secp256r1",
        "-dname", "CN=mx.test", "-validity", "2", "-keystore", store.toString(), "-storetype", "PKCS12",
        "-storepass", "changeit", "-keypass", "changeit").redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    assertThat(p.waitFor()).as(out).isZero();
    KeyStore ks = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(store)) {
      ks.load(in, "changeit".toCharArray());
    }
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(ks, "changeit".toCharArray());
    serverTls = SSLContext.getInstance("TLS");
    serverTls.init(kmf.getKeyManagers(), null, null);
  }

  @BeforeEach
  void start() throws Exception {
    server = new TestSmtpServer();
  }

  @AfterEach
  void stop() throws Exception {
    server.close();
  }

  private TransactionResult send(TlsPolicy policy) {
    return client.deliver(List.of(new TargetHost("mx.test", List.of(InetAddress.getLoopbackAddress()), server.port())),
        new Envelope("a@src.test", List.of(Recipient.of("b@dst.test")), null, null, false, MESSAGE), policy);
  }

  @Test
  void opportunisticStartsTlsWhenOfferedAndSaysEhloAgain() {
    server.tls = serverTls;

    TransactionResult result = send(TlsPolicy.OPPORTUNISTIC);

    assertThat(result.replies()).singleElement().satisfies(r -> assertThat(r.reply().code()).isEqualTo(250));
    assertThat(server.transactions).singleElement().satisfies(t -> {
      assertThat(t.encrypted()).isTrue();
      assertThat(t.data()).isEqualTo(MESSAGE);
    });
    assertThat(server.allCommands.stream().filter(c -> c.startsWith("EHLO")).count()).isEqualTo(2);
    assertThat(tlsOutcomes).containsExactly(TlsOutcome.NEGOTIATED);
  }

  @Test
  void opportunisticGoesOnInPlaintextWhenStartTlsIsRefused() {
    server.tls = serverTls;
    server.startTlsReply = "454 4.7.0 TLS not available due to temporary reason";

    TransactionResult result = send(TlsPolicy.OPPORTUNISTIC);

    assertThat(result.replies()).singleElement().satisfies(r -> assertThat(r.reply().code()).isEqualTo(250));
    assertThat(server.transactions).singleElement().satisfies(t -> assertThat(t.encrypted()).isFalse());
    assertThat(tlsOutcomes).containsExactly(TlsOutcome.REFUSED);
  }

  @Test
  void requiredDefersWhenTheServerDoesNotOfferStartTls() {
    TransactionResult result = send(TlsPolicy.REQUIRED);

    assertThat(result.replies()).singleElement().satisfies(r -> {
      assertThat(r.reply().code()).isEqualTo(421);
      assertThat(r.reply().enhancedStatus()).isEqualTo("4.7.10");
    });
    assertThat(server.allCommands).noneMatch(c -> c.startsWith("MAIL"));
    assertThat(tlsOutcomes).containsExactly(TlsOutcome.NOT_OFFERED);
  }

  @Test
  void requiredDeliversOverTls() {
    server.tls = serverTls;

    send(TlsPolicy.REQUIRED);

    assertThat(server.transactions).singleElement().satisfies(t -> assertThat(t.encrypted()).isTrue());
    assertThat(tlsOutcomes).containsExactly(TlsOutcome.NEGOTIATED);
  }

  @Test
  void noneNeverStartsTls() {
    server.tls = serverTls;

    send(TlsPolicy.NONE);

    assertThat(server.allCommands).doesNotContain("STARTTLS");
    assertThat(server.transactions).singleElement().satisfies(t -> assertThat(t.encrypted()).isFalse());
    assertThat(tlsOutcomes).as("policy none is not counted").isEmpty();
  }
}
