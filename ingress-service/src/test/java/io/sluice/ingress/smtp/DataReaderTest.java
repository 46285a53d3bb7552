package io.sluice.ingress.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class DataReaderTest {
  private static final long LIMIT = 10_000;

  private record Read(DataReader reader, BodyBuffer body, int consumed) {
    String content() {
      return new String(Arrays.copyOf(body.array(), body.length()), StandardCharsets.ISO_8859_1);
    }
  }

  private static Read read(String wire, long limit) {
    BodyBuffer body = new BodyBuffer(limit, -1);
    DataReader reader = new DataReader(body);
    byte[] bytes = wire.getBytes(StandardCharsets.ISO_8859_1);
    // Feed in small pieces so that CRLF and the end line straddle buffer boundaries.
    int consumed = 0;
    while (consumed < bytes.length && !reader.finished()) {
      int n = Math.min(3, bytes.length - consumed);
      consumed += reader.accept(bytes, consumed, n);
    }
    return new Read(reader, body, consumed);
  }

  @Test
  void endsOnlyOnCrlfDotCrlfAndUnstuffs() {
    Read r = read("Subject: x\r\n\r\n..leading dot\r\n.\r\nQUIT\r\n", LIMIT);
    assertThat(r.reader().finished()).isTrue();
    assertThat(r.consumed()).isEqualTo("Subject: x\r\n\r\n..leading dot\r\n.\r\n".length());
    assertThat(r.reader().result()).isInstanceOf(DataReader.Result.Complete.class);
    assertThat(r.content()).isEqualTo("Subject: x\r\n\r\n.leading dot\r\n");
  }

  @Test
  void emptyMessage() {
    Read r = read(".\r\n", LIMIT);
    assertThat(r.reader().finished()).isTrue();
    assertThat(r.content()).isEmpty();
  }

  @Test
  void smugglingVariantsNeverEndTheDataAndRejectTheMessage() {
    for (String end : new String[] {"\n.\n", "\r.\r", "\n.\r\n", "\r\n.\n", "\r.\r\n", "\n.\r"}) {
      String smuggled = "Subject: a\r\n\r\nbody" + end + "MAIL FROM:<evil@x.test>\r\nRCPT TO:<v@y.test>\r\nDATA\r\n";
      Read r = read(smuggled, LIMIT);
      assertThat(r.reader().finished()).as(printable(end)).isFalse();
      Read ended = read(smuggled + "more\r\n.\r\n", LIMIT);
      assertThat(ended.reader().finished()).as(printable(end)).isTrue();
      assertThat(ended.reader().result()).as(printable(end)).isEqualTo(
          new DataReader.Result.Rejected(Replies.BARE_NEWLINE, "bare CR or LF"));
    }
  }

  @Test
  void lineOf1000OctetsIsFineAndLongerIsRejected() {
    String ok = "x".repeat(998) + "\r\n.\r\n";
    assertThat(read(ok, LIMIT).reader().result()).isInstanceOf(DataReader.Result.Complete.class);
    Read tooLong = read("x".repeat(999) + "\r\nnext\r\n.\r\n", LIMIT);
    assertThat(tooLong.reader().finished()).isTrue();
    assertThat(tooLong.reader().result()).isEqualTo(new DataReader.Result.Rejected(Replies.LINE_TOO_LONG, "line too long"));
  }

  @Test
  void contentAboveTheLimitIsNotStoredButReadToTheEnd() {
    String big = ("y".repeat(98) + "\r\n").repeat(200); // 20,000 octets
    Read r = read(big + ".\r\n", 10_000);
    assertThat(r.reader().finished()).isTrue();
    assertThat(r.body().length()).isLessThanOrEqualTo(10_000);
    assertThat(r.body().total()).isEqualTo(20_000);
    assertThat(r.reader().result()).isEqualTo(new DataReader.Result.Rejected(Replies.MESSAGE_TOO_BIG, "message too big"));
  }

  @Test
  void whenTheSharedMemoryBudgetIsSpentTheMessageIsDeferredNotLost() {
    io.sluice.ingress.policy.MemoryBudget budget = new io.sluice.ingress.policy.MemoryBudget(40_000);
    BodyBuffer first = new BodyBuffer(100_000, 30_000, budget); // reserves ~31 KB
    BodyBuffer second = new BodyBuffer(100_000, -1, budget);
    DataReader reader = new DataReader(second);
    byte[] wire = (("z".repeat(98) + "\r\n").repeat(300) + ".\r\n").getBytes(StandardCharsets.US_ASCII);
    reader.accept(wire, 0, wire.length);
    assertThat(reader.finished()).isTrue();
    assertThat(reader.result()).isEqualTo(new DataReader.Result.Rejected(Replies.INSUFFICIENT_STORAGE, "memory budget"));
    assertThat(Replies.INSUFFICIENT_STORAGE.isTransient()).isTrue();
    second.release();
    first.release();
    assertThat(budget.used()).isZero();
  }

  private static String printable(String s) {
    return s.replace("\r", "<CR>").replace("\n", "<LF>");
  }
}
