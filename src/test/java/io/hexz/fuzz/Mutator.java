package io.hexz.fuzz;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * Structured mutation of a good file, driven by the fuzzer's bytes: each input is an edit script
 * (flip a bit, set a byte or a little-endian field to a boundary value, copy, zero, truncate,
 * insert, delete) aimed at the spans a target cares about, so that coverage-guided mutation of
 * a few hundred input bytes explores a file of a few hundred KiB. The edit script is the input
 * Jazzer saves for a finding, so a finding replays exactly. Stateless.
 */
final class Mutator {
  private Mutator() {}

  /** [offset, offset + length) of a structure the edits are aimed at. */
  record Span(String name, int offset, int length) {
    Span {
      if (length <= 0) {
        throw new IllegalArgumentException(name + ": empty span");
      }
    }
  }

  /** Values at the edges of what fields mean: zero, signs, powers of two, the format's bounds. */
  private static final long[] BOUNDARIES = {0, 1, 2, 7, 8, 12, 16, 20, 21, 24, 255, 256, 1023, 1024, 1025, 4095, 4096,
      4097, 65535, 65536, 1L << 20, (1L << 20) + 1, 1L << 30, 0x7fff_ffffL, 0x8000_0000L, 0xffff_ffffL, 1L << 32,
      1L << 60, (1L << 60) + 1, Long.MAX_VALUE, Long.MIN_VALUE, -1, -2, -4096};

  /**
   * Applies 1..8 edits to a copy of {@code good}.
   *
   * @param focus spans the edits aim at (one edit in eight goes anywhere in the file)
   * @param extra target-specific interesting values (offsets of structures, lengths...)
   */
  static byte[] mutate(FuzzedDataProvider d, byte[] good, List<Span> focus, long... extra) {
    byte[] b = good;
    int edits = d.consumeInt(1, 8);
    for (int i = 0; i < edits && b.length > 0; i++) {
      Span s = d.consumeInt(0, 7) == 0 || focus.isEmpty() ? new Span("file", 0, b.length)
          : focus.get(d.consumeInt(0, focus.size() - 1));
      int pos = Math.min(b.length - 1, s.offset() + d.consumeInt(0, s.length() - 1));
      b = apply(d, b == good ? good.clone() : b, pos, extra);
    }
    return b;
  }

  private static byte[] apply(FuzzedDataProvider d, byte[] b, int pos, long[] extra) {
    switch (d.consumeInt(0, 9)) {
      case 0:
        b[pos] ^= (byte) (1 << d.consumeInt(0, 7));
        return b;
      case 1:
        b[pos] = d.consumeByte();
        return b;
      case 2:
        return putField(b, pos & ~1, 2, value(d, extra));
      case 3:
        return putField(b, d.consumeBoolean() ? pos & ~3 : pos, 4, value(d, extra));
      case 4:
        return putField(b, d.consumeBoolean() ? pos & ~7 : pos, 8, value(d, extra));
      case 5: {
        int from = d.consumeInt(0, b.length - 1);
        int n = Math.min(d.consumeInt(1, 64), Math.min(b.length - from, b.length - pos));
        System.arraycopy(b.clone(), from, b, pos, n);
        return b;
      }
      case 6:
        Arrays.fill(b, pos, Math.min(b.length, pos + d.consumeInt(1, 512)), (byte) 0);
        return b;
      case 7:
        return Arrays.copyOf(b, pos);
      case 8: {
        byte[] ins = d.consumeBoolean() ? new byte[d.consumeInt(1, 64)] : d.consumeBytes(d.consumeInt(1, 64));
        byte[] out = new byte[b.length + ins.length];
        System.arraycopy(b, 0, out, 0, pos);
        System.arraycopy(ins, 0, out, pos, ins.length);
        System.arraycopy(b, pos, out, pos + ins.length, b.length - pos);
        return out;
      }
      default: {
        int n = Math.min(d.consumeInt(1, 64), b.length - pos);
        byte[] out = new byte[b.length - n];
        System.arraycopy(b, 0, out, 0, pos);
        System.arraycopy(b, pos + n, out, pos, b.length - pos - n);
        return out;
      }
    }
  }

  private static long value(FuzzedDataProvider d, long[] extra) {
    int pick = d.consumeInt(0, 3);
    if (pick == 0 && extra.length > 0) {
      return extra[d.consumeInt(0, extra.length - 1)] + d.consumeInt(-2, 2);
    }
    return pick <= 1 ? BOUNDARIES[d.consumeInt(0, BOUNDARIES.length - 1)] : d.consumeLong();
  }

  private static byte[] putField(byte[] b, int pos, int width, long v) {
    for (int i = 0; i < width && pos + i < b.length; i++) {
      b[pos + i] = (byte) (v >>> (8 * i));
    }
    return b;
  }

  // ---- fixups: make the edits pass a checksum, so the checks behind it are exercised too

  static ByteBuffer le(byte[] b) {
    return ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
  }

  static int crc(byte[] b, int off, int len) {
    CRC32C c = new CRC32C();
    c.update(b, off, len);
    return (int) c.getValue();
  }

  /** Rewrites the header CRC (bytes 4092..4095 over 0..4091) if the file still has a header. */
  static void recrcHeader(byte[] f) {
    if (f.length >= 4096) {
      le(f).putInt(4092, crc(f, 0, 4092));
    }
  }

  /** Sets the header's fileLength to the real length (so truncation and insertion reach the later checks). */
  static void fixFileLength(byte[] f) {
    if (f.length >= 4096) {
      le(f).putLong(24, f.length);
    }
  }

  /** Recomputes metaCrc over what metaOffset/metaLength now point at, when that lies inside the file. */
  static void fixMetaCrc(byte[] f) {
    if (f.length < 4096) {
      return;
    }
    ByteBuffer h = le(f);
    long off = h.getLong(32);
    long len = Integer.toUnsignedLong(h.getInt(40));
    if (off >= 0 && off + len <= f.length) {
      h.putInt(44, crc(f, (int) off, (int) len));
    }
  }

  /** The spans of a list of [offset, length] pairs that lie inside the file. */
  static List<Span> spans(String name, long fileLength, long[]... ranges) {
    List<Span> out = new ArrayList<>();
    for (long[] r : ranges) {
      if (r[1] > 0 && r[0] >= 0 && r[0] + r[1] <= fileLength) {
        out.add(new Span(name, (int) r[0], (int) r[1]));
      }
    }
    return out;
  }
}
