package io.sluice.schema;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;

/**
 * Reads Avro's binary encoding, the counterpart of {@link BinaryWriter}. Every length and count is
 * checked against the bytes left before anything is allocated, so corrupt input fails with a {@link
 * MalformedRecordException} instead of a huge allocation.
 */
final class BinaryReader {
  private final byte[] buf;
  private int pos;

  BinaryReader(byte[] bytes) {
    this.buf = bytes;
  }

  /** The writer schema's fingerprint from a single-object encoding header. */
  long header() {
    if (buf.length < 10 || buf[0] != (byte) 0xC3 || buf[1] != 0x01) {
      throw new MalformedRecordException("not an Avro single-object encoded record (no C3 01 header)");
    }
    long fingerprint = 0;
    for (int i = 0; i < 8; i++) {
      fingerprint |= (buf[2 + i] & 0xFFL) << (8 * i);
    }
    pos = 10;
    return fingerprint;
  }

  long readLong() {
    long v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (pos >= buf.length) {
        throw new MalformedRecordException("record ends inside a number");
      }
      int b = buf[pos++];
      v |= (long) (b & 0x7F) << shift;
      if (b >= 0) {
        return (v >>> 1) ^ -(v & 1);
      }
    }
    throw new MalformedRecordException("number longer than 10 bytes at offset " + pos);
  }

  int readInt() {
    long v = readLong();
    if (v != (int) v) {
      throw new MalformedRecordException("int out of range: " + v);
    }
    return (int) v;
  }

  boolean readBoolean() {
    if (pos >= buf.length) {
      throw new MalformedRecordException("record ends inside a boolean");
    }
    return switch (buf[pos++]) {
      case 0 -> false;
      case 1 -> true;
      default -> throw new MalformedRecordException("boolean byte " + buf[pos - 1]);
    };
  }

  String readString() {
    int length = length();
    String s = new String(buf, pos, length, StandardCharsets.UTF_8);
    pos += length;
    return s;
  }

  byte[] readBytes() {
    int length = length();
    byte[] out = Arrays.copyOfRange(buf, pos, pos + length);
    pos += length;
    return out;
  }

  /** The branch of a union of {@code branches} types. */
  int readUnionIndex(int branches) {
    long index = readLong();
    if (index < 0 || index >= branches) {
      throw new MalformedRecordException("union branch " + index + " of " + branches);
    }
    return (int) index;
  }

  /** A {@code ["null", "string"]} union. */
  String readNullableString() {
    return readUnionIndex(2) == 0 ? null : readString();
  }

  /** A {@code ["null", "long"]} union. */
  Long readNullableLong() {
    return readUnionIndex(2) == 0 ? null : readLong();
  }

  /** An enum's symbol index, checked against the number of symbols. */
  int readEnumIndex(int symbols) {
    int index = readInt();
    if (index < 0 || index >= symbols) {
      throw new MalformedRecordException("enum symbol " + index + " of " + symbols);
    }
    return index;
  }

  /** An array, in as many blocks as the writer used. */
  <T> List<T> readArray(Function<BinaryReader, T> item) {
    List<T> items = new ArrayList<>();
    for (int n = readArrayBlock(); n > 0; n = readArrayBlock()) {
      for (int i = 0; i < n; i++) {
        items.add(item.apply(this));
      }
    }
    return items;
  }

  /**
   * The item count of the next array block, 0 at the end of the array. A writer may give a block a
   * negative count followed by its size in bytes; the size is skipped.
   */
  private int readArrayBlock() {
    long count = readLong();
    if (count < 0) {
      count = -count;
      readLong();
    }
    if (count > buf.length - pos) { // every item takes at least one byte
      throw new MalformedRecordException("array block of " + count + " items in " + (buf.length - pos) + " bytes");
    }
    return (int) count;
  }

  /** Fails unless the whole input was read: trailing bytes mean another schema wrote it. */
  void expectEnd() {
    if (pos != buf.length) {
      throw new MalformedRecordException((buf.length - pos) + " bytes after the end of the record");
    }
  }

  private int length() {
    long length = readLong();
    if (length < 0 || length > buf.length - pos) {
      throw new MalformedRecordException("length " + length + " with " + (buf.length - pos) + " bytes left");
    }
    return (int) length;
  }

  /** The bytes do not follow the writer schema's encoding. */
  static final class MalformedRecordException extends RuntimeException {
    MalformedRecordException(String message) {
      super(message);
    }
  }
}
