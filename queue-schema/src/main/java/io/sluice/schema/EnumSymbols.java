package io.sluice.schema;

import java.util.Arrays;
import org.apache.avro.Schema;

/**
 * A Java enum against an Avro enum schema: Avro writes a symbol's index in the schema, which need
 * not be the Java constant's ordinal. Built from the schema, so a reordered schema cannot silently
 * swap values; a Java constant the schema lacks fails when the codec is created.
 */
final class EnumSymbols<E extends Enum<E>> {
  private final E[] bySymbol;
  private final int[] symbolByOrdinal;

  EnumSymbols(Class<E> type, Schema enumSchema) {
    E[] constants = type.getEnumConstants();
    this.bySymbol = Arrays.copyOf(constants, enumSchema.getEnumSymbols().size());
    this.symbolByOrdinal = new int[constants.length];
    for (int i = 0; i < bySymbol.length; i++) {
      bySymbol[i] = Enum.valueOf(type, enumSchema.getEnumSymbols().get(i));
    }
    for (E constant : constants) {
      if (!enumSchema.hasEnumSymbol(constant.name())) {
        throw new IllegalStateException(enumSchema.getFullName() + " has no symbol " + constant.name());
      }
      symbolByOrdinal[constant.ordinal()] = enumSchema.getEnumOrdinal(constant.name());
    }
  }

  void write(E value, BinaryWriter out) {
    out.writeInt(symbolByOrdinal[value.ordinal()]);
  }

  E read(BinaryReader in) {
    return bySymbol[in.readEnumIndex(bySymbol.length)];
  }

  /** A {@code ["null", enum]} union. */
  void writeNullable(E value, BinaryWriter out) {
    out.writeLong(value == null ? 0 : 1);
    if (value != null) {
      write(value, out);
    }
  }

  E readNullable(BinaryReader in) {
    return in.readUnionIndex(2) == 0 ? null : read(in);
  }
}
