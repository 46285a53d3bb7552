package io.sluice.ingress.smtp;

/**
 * Collects BDAT chunks (RFC 3030) of one message. BDAT content is sent as is, with no dot-stuffing
 * and no end-of-data line, but it is relayed later with DATA, so the same content rules apply as
 * for {@link DataReader}: a bare CR or LF rejects the message (554 5.5.2), and so does a line over
 * 1000 octets (554 5.6.0). Content over the SIZE limit is not stored (552 5.3.4).
 */
public final class ChunkReader {
  private final BodyBuffer body;
  private boolean pendingCr;
  private boolean bareNewline;
  private boolean lineTooLong;
  private int lineLength;

  public ChunkReader(BodyBuffer body) {
    this.body = body;
  }

  public void accept(byte[] bytes, int offset, int length) {
    body.append(bytes, offset, length);
    for (int i = offset; i < offset + length; i++) {
      byte c = bytes[i];
      if (pendingCr) {
        pendingCr = false;
        if (c == '\n') {
          lineLength = 0;
          continue;
        }
        bareNewline = true;
        lineLength++;
      }
      if (c == '\r') {
        pendingCr = true;
      } else {
        if (c == '\n') {
          bareNewline = true;
        }
        if (++lineLength > DataReader.MAX_LINE_CONTENT) {
          lineTooLong = true;
        }
      }
    }
  }

  /** True once the content passed the SIZE limit: the BDAT that did it gets 552 at once. */
  public boolean overflowed() {
    return body.overflowed();
  }

  public long total() {
    return body.total();
  }

  /** Gives the buffer's memory back to the shared budget. */
  public void release() {
    body.release();
  }

  /** The verdict after BDAT LAST. A CR at the very end of the message is bare too. */
  public DataReader.Result finish() {
    if (bareNewline || pendingCr) {
      return new DataReader.Result.Rejected(Replies.BARE_NEWLINE, "bare CR or LF");
    }
    if (lineTooLong) {
      return new DataReader.Result.Rejected(Replies.LINE_TOO_LONG, "line too long");
    }
    if (body.overflowed()) {
      return new DataReader.Result.Rejected(Replies.MESSAGE_TOO_BIG, "message too big");
    }
    if (body.starved()) {
      return new DataReader.Result.Rejected(Replies.INSUFFICIENT_STORAGE, "memory budget");
    }
    return new DataReader.Result.Complete(body);
  }
}
