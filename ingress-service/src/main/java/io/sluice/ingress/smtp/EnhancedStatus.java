package io.sluice.ingress.smtp;

/**
 * An enhanced mail system status code, {@code class.subject.detail} (RFC 3463, registry RFC 5248).
 * Every reply Sluice sends carries one (RFC 2034).
 */
public record EnhancedStatus(int klass, int subject, int detail) {
  public EnhancedStatus {
    if (klass != 2 && klass != 4 && klass != 5) {
      throw new IllegalArgumentException("enhanced status class must be 2, 4 or 5: " + klass);
    }
    if (subject < 0 || subject > 999 || detail < 0 || detail > 999) {
      throw new IllegalArgumentException("enhanced status subject/detail out of range");
    }
  }

  public static EnhancedStatus of(String text) {
    String[] parts = text.split("\\.");
    if (parts.length != 3) {
      throw new IllegalArgumentException("not an enhanced status code: " + text);
    }
    return new EnhancedStatus(
        Integer.parseInt(parts[0]), Integer.parseInt(parts[1]), Integer.parseInt(parts[2]));
  }

  @Override
  public String toString() {
    return klass + "." + subject + "." + detail;
  }
}
