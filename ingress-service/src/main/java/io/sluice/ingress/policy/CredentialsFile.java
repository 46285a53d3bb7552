package io.sluice.ingress.policy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * The credentials file, re-read when it changes (a rotated Kubernetes secret, an edited file). The
 * modification time is checked at most every {@code checkEvery}; a file that no longer parses is
 * reported and the last good credentials stay in force.
 */
public final class CredentialsFile implements Supplier<Credentials> {
  private static final Logger LOG = Logger.getLogger(CredentialsFile.class);

  private final Path path;
  private final long checkEveryNanos;
  private volatile Credentials current;
  private volatile FileTime loadedVersion;
  private volatile long checkedAt;

  public CredentialsFile(Path path, Duration checkEvery) {
    this.path = path;
    this.checkEveryNanos = checkEvery.toNanos();
    this.loadedVersion = modified();
    this.current = Credentials.load(path); // at startup a bad file is fatal: fail fast
    this.checkedAt = System.nanoTime();
  }

  @Override
  public Credentials get() {
    long now = System.nanoTime();
    if (now - checkedAt > checkEveryNanos) {
      checkedAt = now;
      FileTime version = modified();
      if (version != null && !version.equals(loadedVersion)) {
        reload(version);
      }
    }
    return current;
  }

  private synchronized void reload(FileTime version) {
    if (version.equals(loadedVersion)) {
      return;
    }
    try {
      Credentials fresh = Credentials.load(path);
      current = fresh;
      LOG.infof("Reloaded SMTP credentials from %s: %d user(s)", path, fresh.size());
    } catch (RuntimeException e) {
      LOG.errorf("Cannot reload SMTP credentials from %s (%s); the previous %d user(s) stay in force."
          + " Fix the file", path, e.getMessage(), current.size());
    }
    loadedVersion = version;
  }

  private FileTime modified() {
    try {
      return Files.getLastModifiedTime(path);
    } catch (IOException e) {
      return null;
    }
  }
}
