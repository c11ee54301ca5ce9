package io.hexz.testing;

/**
 * Decodes an LZ4 block (the format of a compressed index page) and remembers, for each output
 * byte, the input byte it was copied from when it is a literal (-1 when a match produced it): so
 * a test can change a page's bytes inside its compressed form without changing that form's
 * length or shape. Written from the LZ4 block format, not with the production codec. Immutable.
 */
public final class Lz4Literals {
  /** The decoded bytes. */
  public final byte[] out;
  /** For each byte of {@link #out}: the index in the input of the literal it is, or -1. */
  public final int[] source;

  private Lz4Literals(byte[] out, int[] source) {
    this.out = out;
    this.source = source;
  }

  /** Bytes stored as they are: every byte is a literal. */
  public static Lz4Literals raw(byte[] in, int from, int length) {
    int[] src = new int[length];
    for (int i = 0; i < length; i++) {
      src[i] = from + i;
    }
    return new Lz4Literals(java.util.Arrays.copyOfRange(in, from, from + length), src);
  }

  /** Decodes {@code in[from, to)} into exactly {@code length} bytes. */
  public static Lz4Literals decode(byte[] in, int from, int to, int length) {
    byte[] out = new byte[length];
    int[] src = new int[length];
    int i = from;
    int o = 0;
    while (i < to) {
      int token = Byte.toUnsignedInt(in[i++]);
      int lit = token >>> 4;
      if (lit == 15) {
        int x;
        do {
          x = Byte.toUnsignedInt(in[i++]);
          lit += x;
        } while (x == 255);
      }
      for (int k = 0; k < lit; k++) {
        src[o] = i;
        out[o++] = in[i++];
      }
      if (i >= to) {
        break; // the last sequence has literals only
      }
      int back = Byte.toUnsignedInt(in[i]) | Byte.toUnsignedInt(in[i + 1]) << 8;
      i += 2;
      int match = (token & 15) + 4;
      if ((token & 15) == 15) {
        int x;
        do {
          x = Byte.toUnsignedInt(in[i++]);
          match += x;
        } while (x == 255);
      }
      for (int k = 0; k < match; k++) {
        src[o] = -1;
        out[o] = out[o - back];
        o++;
      }
    }
    if (o != length) {
      throw new AssertionError("LZ4 block decodes to " + o + " bytes, not " + length);
    }
    return new Lz4Literals(out, src);
  }
}
