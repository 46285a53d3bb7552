package io.sluice.ingress;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.sluice.ingress.policy.PasswordHash;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * Test set-up for TLS and AUTH: a self-signed server certificate made with the JDK's keytool at
 * test time, and a credentials file with PBKDF2 hashes. Users: {@code alice}/{@code wonderland}
 * (any sender domain) and {@code bob}/{@code builder} (may send only from {@code ok.test}).
 */
public class TestTls implements QuarkusTestResourceLifecycleManager {
  public static final Path DIR = Path.of("target", "test-tls").toAbsolutePath();
  public static final Path KEY_STORE = DIR.resolve("smtp.p12");
  public static final String PASSWORD = "changeit";

  @Override
  public Map<String, String> start() {
    try {
      Files.createDirectories(DIR);
      Files.deleteIfExists(KEY_STORE);
      String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
      Process p = new ProcessBuilder(keytool, "-genkeypair", "-alias", "smtp", "-keyalg", "RSA", "-keysize", "2048",
          "-dname", "CN=ingress.test", "-ext", "SAN=dns:ingress.test,dns:localhost,ip:127.0.0.1", "-validity", "2",
          "-storetype", "PKCS12", "-keystore", KEY_STORE.toString(), "-storepass", PASSWORD, "-keypass", PASSWORD)
          .redirectErrorStream(true).start();
      String output = new String(p.getInputStream().readAllBytes());
      if (p.waitFor() != 0) {
        throw new IllegalStateException("keytool failed: " + output);
      }
      Path credentials = DIR.resolve("credentials");
      // Few iterations keep the tests fast; production hashes use PasswordHash.DEFAULT_ITERATIONS.
      Files.write(credentials, List.of(
          "# test users",
          "alice:" + PasswordHash.create("wonderland".toCharArray(), 1000),
          "bob:" + PasswordHash.create("builder".toCharArray(), 1000) + ":ok.test"));
      return Map.of(
          "quarkus.tls.smtp.key-store.p12.path", KEY_STORE.toString(),
          "quarkus.tls.smtp.key-store.p12.password", PASSWORD,
          "sluice.ingress.auth.credentials-file", credentials.toString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void stop() {}

  /** A client SSL context that trusts exactly the test certificate. */
  public static SSLContext clientContext() throws Exception {
    KeyStore ks = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(KEY_STORE)) {
      ks.load(in, PASSWORD.toCharArray());
    }
    TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(ks);
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(null, tmf.getTrustManagers(), null);
    return ctx;
  }
}
