package io.sluice.ingress.smtp;

/**
 * Reads DATA content (RFC 5321 §4.1.1.4, §4.5.2) with the rules that make SMTP smuggling
 * impossible:
 *
 * <ul>
 *   <li>Only {@code <CRLF>.<CRLF>} ends the data. Lines are split on CRLF and nothing else, so the
 *       published variants ({@code <LF>.<LF>}, {@code <CR>.<CR>}, {@code <LF>.<CRLF>},
 *       {@code <CRLF>.<LF>}) are ordinary content and never end the message.
 *   <li>A bare CR or LF anywhere in the content rejects the whole message with {@code 554 5.5.2}
 *       once the real end of data arrives (the choice of Postfix's
 *       {@code smtpd_forbid_bare_newline = reject}). A next hop that reads bare LF as a line end
 *       therefore never sees such a message from us.
 *   <li>Lines longer than 1000 octets including CRLF (RFC 5321 §4.5.3.1.6) reject the message with
 *       {@code 554 5.6.0}.
 *   <li>Content past the SIZE limit is not stored; the message is rejected with {@code 552 5.3.4}.
 *   <li>When the shared memory budget is spent, content is not stored either; the message gets
 *       {@code 452 4.3.1} and the client retries later.
 * </ul>
 *
 * In every case the reader keeps consuming to the real end of data, so that the rest of the
 * message is never read as commands. Dot-unstuffing removes the first '.' of a line that starts
 * with one.
 */
public final class DataReader {
  /** Longest line content; with CRLF that is 1000 octets. */
  static final int MAX_LINE_CONTENT = 998;
  private static final byte[] CRLF = {'\r', '\n'};

  private final BodyBuffer body;
  private final byte[] line = new byte[MAX_LINE_CONTENT];
  private int lineLength;
  private boolean lineOverflow;
  private boolean pendingCr;
  private boolean bareNewline;
  private boolean lineTooLong;
  private boolean finished;

  public DataReader(BodyBuffer body) {
    this.body = body;
  }

  /** What the data phase produced. */
  public sealed interface Result {
    record Complete(BodyBuffer body) implements Result {}

    record Rejected(SmtpReply reply, String reason) implements Result {}
  }

  /**
   * Consumes octets up to and including the end-of-data line.
   *
   * @return how many octets were consumed; fewer than {@code length} only when the data ended
   */
  public int accept(byte[] bytes, int offset, int length) {
    for (int i = 0; i < length; i++) {
      byte c = bytes[offset + i];
      if (pendingCr) {
        pendingCr = false;
        if (c == '\n') {
          endOfLine();
          if (finished) {
            return i + 1;
          }
          continue;
        }
        bareNewline = true; // a CR not followed by LF
        add((byte) '\r');
      }
      if (c == '\r') {
        pendingCr = true;
      } else {
        if (c == '\n') {
          bareNewline = true; // an LF not preceded by CR
        }
        add(c);
      }
    }
    return length;
  }

  public boolean finished() {
    return finished;
  }

  public Result result() {
    if (!finished) {
      throw new IllegalStateException("data has not ended");
    }
    if (bareNewline) {
      return new Result.Rejected(Replies.BARE_NEWLINE, "bare CR or LF");
    }
    if (lineTooLong) {
      return new Result.Rejected(Replies.LINE_TOO_LONG, "line too long");
    }
    if (body.overflowed()) {
      return new Result.Rejected(Replies.MESSAGE_TOO_BIG, "message too big");
    }
    if (body.starved()) {
      return new Result.Rejected(Replies.INSUFFICIENT_STORAGE, "memory budget");
    }
    return new Result.Complete(body);
  }

  private void add(byte c) {
    if (lineLength == MAX_LINE_CONTENT) {
      lineOverflow = true;
    } else {
      line[lineLength++] = c;
    }
  }

  private void endOfLine() {
    if (lineOverflow) {
      lineTooLong = true;
    } else if (lineLength == 1 && line[0] == '.') {
      finished = true;
    } else {
      int start = lineLength > 0 && line[0] == '.' ? 1 : 0; // RFC 5321 §4.5.2 transparency
      body.append(line, start, lineLength - start);
      body.append(CRLF, 0, 2);
    }
    lineLength = 0;
    lineOverflow = false;
  }
}
