package io.sluice.schema;

import java.security.SecureRandom;
import java.time.Clock;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Queue ids are ULIDs: 48 bits of milliseconds and 80 random bits in Crockford base32, 26
 * characters. They sort by time, which makes logs, topic keys and database rows easy to scan, and
 * they are monotonic within one generator even inside a millisecond.
 */
public final class QueueIds {
  private static final char[] ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ".toCharArray();

  private final Clock clock;
  private final SecureRandom random = new SecureRandom();
  private final ReentrantLock lock = new ReentrantLock();
  private long lastMillis = -1;
  private long randHigh; // 16 bits
  private long randLow; // 64 bits

  public QueueIds(Clock clock) {
    this.clock = clock;
  }

  public QueueIds() {
    this(Clock.systemUTC());
  }

  public String next() {
    long millis;
    long high;
    long low;
    lock.lock();
    try {
      millis = clock.millis();
      if (millis <= lastMillis) {
        millis = lastMillis;
        randLow++;
        if (randLow == 0) {
          randHigh = (randHigh + 1) & 0xFFFF;
        }
      } else {
        lastMillis = millis;
        randHigh = random.nextInt() & 0xFFFF;
        randLow = random.nextLong();
      }
      high = randHigh;
      low = randLow;
    } finally {
      lock.unlock();
    }
    return encode(millis, high, low);
  }

  static String encode(long millis, long randHigh16, long randLow64) {
    char[] out = new char[26];
    // 48-bit time: 10 characters (the first holds only 3 significant bits).
    for (int i = 9; i >= 0; i--) {
      out[i] = ALPHABET[(int) (millis & 31)];
      millis >>>= 5;
    }
    // 80-bit randomness: 16 characters, taken from the 16 high bits then the 64 low bits.
    for (int i = 25; i >= 10; i--) {
      out[i] = ALPHABET[(int) (randLow64 & 31)];
      randLow64 = (randLow64 >>> 5) | ((randHigh16 & 31) << 59);
      randHigh16 >>>= 5;
    }
    return new String(out);
  }

  /** True when {@code s} has the shape of a queue id; used to validate API and log input. */
  public static boolean isQueueId(String s) {
    return s != null && s.matches("[0-9A-HJKMNP-TV-Z]{26}");
  }
}
