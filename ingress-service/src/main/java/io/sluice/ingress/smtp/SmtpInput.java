package io.sluice.ingress.smtp;

import java.io.IOException;
import java.io.InputStream;
import java.net.SocketTimeoutException;
import java.util.Arrays;

/**
 * Buffered reader of SMTP input with bounded memory: a fixed 4 KiB read buffer, command lines capped at a
 * fixed length, message content handed to a {@link DataReader}. Before any read that would block,
 * it runs {@code beforeBlock} so that pipelined replies are flushed exactly when the client's group
 * of commands has been consumed (RFC 2920 §3.2).
 */
public final class SmtpInput {
  /** Bytes read from the socket at a time; also the most a client can have pipelined unread. */
  static final int BUFFER = 4096;

  private final InputStream in;
  private final Runnable beforeBlock;
  private final ReadTimeout readTimeout;
  private final byte[] buf = new byte[BUFFER];
  private int pos;
  private int limit;

  /**
   * @param beforeBlock runs before a read that would block (flushes pending replies)
   * @param readTimeout bounds each blocking read
   */
  public SmtpInput(InputStream in, Runnable beforeBlock, ReadTimeout readTimeout) {
    this.in = in;
    this.beforeBlock = beforeBlock;
    this.readTimeout = readTimeout;
  }

  /**
   * How long reads may take: each read at most {@code perReadMillis}, and all reads of one unit
   * (a command line, a message) together until {@code endNanos}. The overall deadline is what stops
   * a slow-drip ("slowloris") client that sends one byte just before each read timeout.
   */
  public record Deadline(long perReadMillis, long endNanos) {
    public static Deadline of(java.time.Duration perRead, java.time.Duration total) {
      return new Deadline(perRead.toMillis(), System.nanoTime() + total.toNanos());
    }

    int nextTimeoutMillis() throws SocketTimeoutException {
      long left = (endNanos - System.nanoTime()) / 1_000_000;
      if (left <= 0) {
        throw new SocketTimeoutException("deadline passed");
      }
      return (int) Math.max(1, Math.min(perReadMillis, left));
    }
  }

  /**
   * Bounds one blocking read: {@link #arm} before it, {@link #disarm} once it returned or failed.
   * A socket read timeout does this, but on a virtual thread each timed read schedules and cancels
   * a timer task, and the scheduler thread wakes for both: a watchdog is cheaper for plain sockets.
   */
  public interface ReadTimeout {
    /** The read that follows may block for at most {@code millis}. */
    void arm(int millis) throws IOException;

    /** The read ended; throws {@link SocketTimeoutException} when it was ended by the timeout. */
    void disarm() throws SocketTimeoutException;
  }

  /** A line read in command mode. */
  public sealed interface Line {
    /** The line without its terminator. */
    record Text(byte[] bytes) implements Line {}

    /** The line was longer than allowed; it was read and thrown away up to its end. */
    record TooLong() implements Line {}

    /** The client closed the connection. */
    record Eof() implements Line {}
  }

  /** Octets already read from the socket and not yet consumed (pipelined input). */
  public int buffered() {
    return limit - pos;
  }

  /**
   * Throws away pipelined input. Used after STARTTLS: anything sent in clear before the handshake
   * must not be executed inside TLS (RFC 3207 §4.2; CVE-2011-0411).
   */
  public int discardBuffered() {
    int n = limit - pos;
    pos = limit;
    return n;
  }

  /**
   * Reads one command line, ending at LF (a preceding CR is dropped). Lines of more than
   * {@code max} octets are consumed to their end and reported as {@link Line.TooLong}.
   */
  public Line readLine(int max, Deadline deadline) throws IOException {
    if (pos == limit && !fill(deadline)) {
      return new Line.Eof();
    }
    // Usually the whole line is in the buffer already: copy it out once, without a growing buffer.
    for (int i = pos; i < limit && i - pos <= max; i++) {
      if (buf[i] == '\n') {
        int end = i > pos && buf[i - 1] == '\r' ? i - 1 : i;
        byte[] line = Arrays.copyOfRange(buf, pos, end);
        pos = i + 1;
        return new Line.Text(line);
      }
    }
    byte[] line = new byte[Math.min(max, 256)];
    int len = 0;
    boolean tooLong = false;
    while (true) {
      if (pos == limit && !fill(deadline)) {
        return new Line.Eof();
      }
      byte b = buf[pos++];
      if (b == '\n') {
        if (tooLong) {
          return new Line.TooLong();
        }
        if (len > 0 && line[len - 1] == '\r') {
          len--;
        }
        return new Line.Text(Arrays.copyOf(line, len));
      }
      if (tooLong) {
        continue;
      }
      if (len == max) {
        tooLong = true;
        continue;
      }
      if (len == line.length) {
        line = Arrays.copyOf(line, Math.min(max, line.length * 2));
      }
      line[len++] = b;
    }
  }

  /** Reads content into {@code reader} until it says the data has ended. False on end of input. */
  public boolean readData(DataReader reader, Deadline deadline) throws IOException {
    while (true) {
      if (pos == limit && !fill(deadline)) {
        return false;
      }
      int used = reader.accept(buf, pos, limit - pos);
      pos += used;
      if (reader.finished()) {
        return true;
      }
    }
  }

  /** Reads exactly {@code count} octets into {@code sink} (BDAT, RFC 3030 §2). False on end of input. */
  public boolean readExactly(long count, ChunkSink sink, Deadline deadline) throws IOException {
    long left = count;
    while (left > 0) {
      if (pos == limit && !fill(deadline)) {
        return false;
      }
      int n = (int) Math.min(left, limit - pos);
      sink.accept(buf, pos, n);
      pos += n;
      left -= n;
    }
    return true;
  }

  /** Receives raw chunk octets. */
  @FunctionalInterface
  public interface ChunkSink {
    void accept(byte[] bytes, int offset, int length);
  }

  private boolean fill(Deadline deadline) throws IOException {
    beforeBlock.run();
    readTimeout.arm(deadline.nextTimeoutMillis());
    int n;
    try {
      n = in.read(buf, 0, buf.length);
    } finally {
      readTimeout.disarm();
    }
    if (n <= 0) {
      return false;
    }
    pos = 0;
    limit = n;
    return true;
  }
}
