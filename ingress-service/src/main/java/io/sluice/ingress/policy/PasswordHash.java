package io.sluice.ingress.policy;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;

/**
 * A PBKDF2-HMAC-SHA256 password hash (RFC 8018 §5.2) in the form
 * {@code $pbkdf2-sha256$<iterations>$<salt, base64>$<derived key, base64>}. Only hashes are stored;
 * the JDK computes them, so no extra library is needed. Generate one with
 * {@code java -cp ingress-service/target/quarkus-app/app/ingress-service-*.jar io.sluice.ingress.policy.PasswordHash <password>}
 * or the Python one-liner in docs/configuration.md.
 */
public record PasswordHash(int iterations, byte[] salt, byte[] key) {
  private static final String PREFIX = "$pbkdf2-sha256$";
  /** OWASP 2023 recommendation for PBKDF2-HMAC-SHA256. */
  public static final int DEFAULT_ITERATIONS = 600_000;

  public static PasswordHash parse(String text) {
    if (!text.startsWith(PREFIX)) {
      throw new IllegalArgumentException("not a $pbkdf2-sha256$ hash");
    }
    String[] parts = text.substring(PREFIX.length()).split("\\$");
    if (parts.length != 3) {
      throw new IllegalArgumentException("expected $pbkdf2-sha256$<iterations>$<salt>$<hash>");
    }
    int iterations = Integer.parseInt(parts[0]);
    if (iterations < 1000) {
      throw new IllegalArgumentException("fewer than 1000 PBKDF2 iterations");
    }
    Base64.Decoder b64 = Base64.getDecoder();
    return new PasswordHash(iterations, b64.decode(parts[1]), b64.decode(parts[2]));
  }

  public static PasswordHash create(char[] password, int iterations) {
    byte[] salt = new byte[16];
    new SecureRandom().nextBytes(salt);
    return new PasswordHash(iterations, salt, derive(password, salt, iterations, 32));
  }

  /** Constant-time comparison of the derived keys. */
  public boolean matches(char[] password) {
    return MessageDigest.isEqual(key, derive(password, salt, iterations, key.length));
  }

  @Override
  public String toString() {
    Base64.Encoder b64 = Base64.getEncoder();
    return PREFIX + iterations + "$" + b64.encodeToString(salt) + "$" + b64.encodeToString(key);
  }

  private static byte[] derive(char[] password, byte[] salt, int iterations, int length) {
    try {
      PBEKeySpec spec = new PBEKeySpec(password, salt, iterations, length * 8);
      return SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256").generateSecret(spec).getEncoded();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("PBKDF2WithHmacSHA256 unavailable", e);
    }
  }

  /** Prints the hash of the password given as the only argument. */
  public static void main(String[] args) {
    if (args.length != 1) {
      System.err.println("usage: PasswordHash <password>");
      System.exit(2);
    }
    System.out.println(create(args[0].toCharArray(), DEFAULT_ITERATIONS));
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof PasswordHash p && p.toString().equals(toString());
  }

  @Override
  public int hashCode() {
    return toString().hashCode();
  }
}
