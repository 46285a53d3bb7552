package io.sluice.ingress.policy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * SMTP AUTH users, read from a file (or a mounted secret) of lines
 * {@code user:$pbkdf2-sha256$...[:example.org,example.net]}. Blank lines and {@code #} comments are
 * ignored. Passwords are never stored, only their PBKDF2 hashes.
 */
public final class Credentials {
  /** A user and the sender domains it may use (empty: any). */
  public record User(String name, PasswordHash hash, Set<String> senderDomains) {
    public User {
      senderDomains = Set.copyOf(senderDomains);
    }

    /** True when this user may send as {@code domain} (case-insensitive). */
    public boolean maySendFrom(String domain) {
      return senderDomains.isEmpty() || senderDomains.contains(domain.toLowerCase(Locale.ROOT));
    }
  }

  /** Verifies against a fixed dummy hash for unknown users so both paths take the same time. */
  private static final PasswordHash DUMMY = PasswordHash.create("dummy".toCharArray(), 1000);

  private final Map<String, User> users;

  public Credentials(Map<String, User> users) {
    this.users = Map.copyOf(users);
  }

  public static Credentials none() {
    return new Credentials(Map.of());
  }

  public static Credentials load(Path file) {
    try {
      return parse(Files.readAllLines(file, StandardCharsets.UTF_8), file.toString());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the SMTP credentials file " + file
          + " (sluice.ingress.auth.credentials-file); fix the path or permissions", e);
    }
  }

  static Credentials parse(List<String> lines, String source) {
    Map<String, User> users = new HashMap<>();
    int n = 0;
    for (String raw : lines) {
      n++;
      String line = raw.strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      String[] f = line.split(":", 3);
      if (f.length < 2 || f[0].isEmpty()) {
        throw new IllegalArgumentException(source + ":" + n + ": expected user:hash[:domains]");
      }
      PasswordHash hash;
      try {
        hash = PasswordHash.parse(f[1]);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(source + ":" + n + ": " + e.getMessage(), e);
      }
      Set<String> domains = f.length == 3 && !f[2].isBlank()
          ? java.util.Arrays.stream(f[2].split(",")).map(d -> d.strip().toLowerCase(Locale.ROOT))
              .filter(d -> !d.isEmpty()).collect(Collectors.toSet())
          : Set.of();
      users.put(f[0], new User(f[0], hash, domains));
    }
    return new Credentials(users);
  }

  public boolean isEmpty() {
    return users.isEmpty();
  }

  public int size() {
    return users.size();
  }

  /** The user when the password is right; null otherwise. */
  public User verify(String name, char[] password) {
    User user = users.get(name);
    if (user == null) {
      DUMMY.matches(password);
      return null;
    }
    return user.hash().matches(password) ? user : null;
  }

  public User user(String name) {
    return users.get(name);
  }
}
