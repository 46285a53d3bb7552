package io.sluice.schema;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Collection;
import java.util.function.BiConsumer;

/**
 * Writes Avro's binary encoding (the "Binary Encoding" section of the Avro specification) into a
 * growing array: zig-zag varints for int and long, a length before strings and bytes, the branch
 * index before a union's value, arrays as one block and a zero count. The record formats call it field
 * by field in schema order, which is what makes it cheaper than Avro's generic writer: no generic
 * record, no field lookup by name, and the content copied once.
 */
final class BinaryWriter {
  private byte[] buf;
  private int pos;

  BinaryWriter(int sizeHint) {
    buf = new byte[Math.max(64, sizeHint)];
  }

  /** Single-object encoding: the marker C3 01, then the writer schema's fingerprint, little-endian. */
  void header(long fingerprint) {
    ensure(10);
    buf[pos++] = (byte) 0xC3;
    buf[pos++] = 0x01;
    for (int i = 0; i < 8; i++) {
      buf[pos++] = (byte) (fingerprint >>> (8 * i));
    }
  }

  void writeLong(long n) {
    ensure(10);
    long v = (n << 1) ^ (n >> 63);
    while ((v & ~0x7FL) != 0) {
      buf[pos++] = (byte) ((v & 0x7F) | 0x80);
      v >>>= 7;
    }
    buf[pos++] = (byte) v;
  }

  /** The same bytes as Avro's int encoding: the zig-zag of a sign-extended int fits its 5 bytes. */
  void writeInt(int n) {
    writeLong(n);
  }

  void writeBoolean(boolean b) {
    ensure(1);
    buf[pos++] = (byte) (b ? 1 : 0);
  }

  void writeString(String s) {
    writeBytes(s.getBytes(StandardCharsets.UTF_8));
  }

  void writeBytes(byte[] bytes) {
    writeLong(bytes.length);
    ensure(bytes.length);
    System.arraycopy(bytes, 0, buf, pos, bytes.length);
    pos += bytes.length;
  }

  /** A {@code ["null", "string"]} union. */
  void writeNullableString(String s) {
    writeLong(s == null ? 0 : 1);
    if (s != null) {
      writeString(s);
    }
  }

  /** A {@code ["null", "long"]} union. */
  void writeNullableLong(Long n) {
    writeLong(n == null ? 0 : 1);
    if (n != null) {
      writeLong(n);
    }
  }

  /** An array as one block of items, then the zero count that ends it (what Avro's own writer does). */
  <T> void writeArray(Collection<T> items, BiConsumer<T, BinaryWriter> item) {
    if (!items.isEmpty()) {
      writeLong(items.size());
      for (T t : items) {
        item.accept(t, this);
      }
    }
    writeLong(0);
  }

  byte[] toByteArray() {
    return Arrays.copyOf(buf, pos);
  }

  private void ensure(int more) {
    if (buf.length - pos < more) {
      buf = Arrays.copyOf(buf, Math.max(buf.length * 2, pos + more));
    }
  }
}
