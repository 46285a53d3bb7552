package io.sluice.ingress.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class CredentialsTest {
  @Test
  void hashesRoundTripAndVerify() {
    PasswordHash hash = PasswordHash.create("s3cret".toCharArray(), 1000);
    PasswordHash parsed = PasswordHash.parse(hash.toString());
    assertThat(parsed.matches("s3cret".toCharArray())).isTrue();
    assertThat(parsed.matches("s3cret!".toCharArray())).isFalse();
    assertThat(hash.toString()).startsWith("$pbkdf2-sha256$1000$");
  }

  @Test
  void fileLinesWithOptionalSenderDomains() {
    Credentials c = Credentials.parse(List.of(
        "# comment", "",
        "app:" + PasswordHash.create("pw".toCharArray(), 1000) + ":Example.org, example.net",
        "any:" + PasswordHash.create("pw2".toCharArray(), 1000)), "test");
    assertThat(c.size()).isEqualTo(2);
    Credentials.User app = c.verify("app", "pw".toCharArray());
    assertThat(app).isNotNull();
    assertThat(app.maySendFrom("EXAMPLE.ORG")).isTrue();
    assertThat(app.maySendFrom("other.org")).isFalse();
    assertThat(c.verify("any", "pw2".toCharArray()).maySendFrom("whatever.test")).isTrue();
    assertThat(c.verify("app", "wrong".toCharArray())).isNull();
    assertThat(c.verify("nobody", "pw".toCharArray())).isNull();
  }

  @Test
  void theFileIsReloadedWhenItChangesAndABadVersionIsIgnored() throws Exception {
    java.nio.file.Path file = java.nio.file.Files.createTempFile("creds", ".txt");
    try {
      java.nio.file.Files.writeString(file, "a:" + PasswordHash.create("one".toCharArray(), 1000) + "\n");
      CredentialsFile source = new CredentialsFile(file, java.time.Duration.ZERO);
      assertThat(source.get().verify("a", "one".toCharArray())).isNotNull();
      java.nio.file.Files.writeString(file, "a:" + PasswordHash.create("two".toCharArray(), 1000) + "\n");
      java.nio.file.Files.setLastModifiedTime(file, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() + 5000));
      Thread.sleep(2);
      assertThat(source.get().verify("a", "two".toCharArray())).isNotNull();
      assertThat(source.get().verify("a", "one".toCharArray())).isNull();
      java.nio.file.Files.writeString(file, "a:plaintext\n");
      java.nio.file.Files.setLastModifiedTime(file, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() + 10000));
      Thread.sleep(2);
      assertThat(source.get().verify("a", "two".toCharArray())).isNotNull(); // last good version stays
    } finally {
      java.nio.file.Files.deleteIfExists(file);
    }
  }

  @Test
  void plainTextPasswordsAreRefused() {
    assertThatThrownBy(() -> Credentials.parse(List.of("app:password"), "creds"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("creds:1");
  }
}
