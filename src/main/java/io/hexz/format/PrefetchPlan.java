package io.hexz.format;

import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.Base64;

/**
 * The blocks a snapshot's reader should load first, in order: a boot trace turned into the
 * snapshot's own block numbers ({@code build --boot-trace}). Kept in the metadata (so a CRC, a
 * signature and encryption cover it like the rest of the metadata), as the string value of
 * {@code "prefetchPlan"}. Immutable.
 *
 * <pre>
 * prefetchPlan := base64( version:u8=1 count:varint Entry[count] )
 * Entry        := varint( zigzag(block - previous block of the same stream) &lt;&lt; 1 | stream )
 *                 -- stream 0 disk, 1 memory; "previous" starts at 0 for each stream
 * </pre>
 * Varints are LEB128 (7 bits per byte, low first, at most 10 bytes). A reader checks the bounds
 * (count at most {@link #MAX_ENTRIES}, blocks inside their stream) before using an entry; a plan it
 * cannot use is ignored with a warning, never read as data.
 */
public final class PrefetchPlan {
  /** Most blocks a plan lists (4 GiB of 64 KiB blocks; the encoding stays well under the metadata limit). */
  public static final int MAX_ENTRIES = 65536;
  private final long[] entries; // block << 1 | (memory ? 1 : 0)

  private PrefetchPlan(long[] entries) {
    this.entries = entries;
  }

  /** A plan of {@code blocks[i]} of {@code streams[i]} (disk or memory), in order, at most {@link #MAX_ENTRIES}. */
  public static PrefetchPlan of(StreamKind[] streams, long[] blocks) {
    if (streams.length != blocks.length || blocks.length > MAX_ENTRIES) {
      throw new IllegalArgumentException("a plan lists at most " + MAX_ENTRIES + " blocks, not " + blocks.length);
    }
    long[] e = new long[blocks.length];
    for (int i = 0; i < e.length; i++) {
      if (blocks[i] < 0 || blocks[i] > Long.MAX_VALUE >> 2 || (streams[i] != StreamKind.DISK
          && streams[i] != StreamKind.MEMORY)) {
        throw new IllegalArgumentException("plan entry " + i + " (" + streams[i] + " block " + blocks[i]
            + ") must be a disk or memory block >= 0");
      }
      e[i] = blocks[i] << 1 | (streams[i] == StreamKind.MEMORY ? 1 : 0);
    }
    return new PrefetchPlan(e);
  }

  public int size() {
    return entries.length;
  }

  public StreamKind stream(int i) {
    return (entries[i] & 1) == 0 ? StreamKind.DISK : StreamKind.MEMORY;
  }

  public long block(int i) {
    return entries[i] >>> 1;
  }

  /** The metadata string. */
  public String encode() {
    ByteArrayOutputStream out = new ByteArrayOutputStream(entries.length * 2 + 8);
    out.write(1);
    varint(out, entries.length);
    long[] prev = new long[2];
    for (long e : entries) {
      int s = (int) (e & 1);
      long block = e >>> 1;
      long d = block - prev[s];
      prev[s] = block;
      varint(out, ((d << 1) ^ (d >> 63)) << 1 | s);
    }
    return Base64.getEncoder().encodeToString(out.toByteArray());
  }

  /** Decodes a plan, checking its grammar and the entry count (not the blocks: see the class doc). */
  public static PrefetchPlan decode(String file, String text) throws CorruptSnapshotException {
    byte[] b;
    try {
      b = Base64.getDecoder().decode(text);
    } catch (IllegalArgumentException e) {
      throw new CorruptSnapshotException(file, "prefetch plan is not base64");
    }
    if (b.length == 0 || b[0] != 1) {
      throw new CorruptSnapshotException(file, "prefetch plan version " + (b.length == 0 ? "missing" : b[0])
          + " is not 1");
    }
    Cursor in = new Cursor(file, b, 1);
    long count = in.varint();
    if (count < 0 || count > MAX_ENTRIES) {
      throw new CorruptSnapshotException(file, "prefetch plan of " + count + " entries (at most " + MAX_ENTRIES + ")");
    }
    long[] e = new long[(int) count];
    long[] prev = new long[2];
    for (int i = 0; i < count; i++) {
      long v = in.varint();
      int s = (int) (v & 1);
      long z = v >>> 1;
      long block = prev[s] + ((z >>> 1) ^ -(z & 1));
      if (block < 0 || block > Long.MAX_VALUE >> 2) {
        throw new CorruptSnapshotException(file, "prefetch plan entry " + i + " names block " + block);
      }
      prev[s] = block;
      e[i] = block << 1 | s;
    }
    if (in.left() != 0) {
      throw new CorruptSnapshotException(file, "prefetch plan has " + in.left() + " bytes after its entries");
    }
    return new PrefetchPlan(e);
  }

  private static void varint(ByteArrayOutputStream out, long v) {
    while ((v & ~0x7FL) != 0) {
      out.write((int) ((v & 0x7F) | 0x80));
      v >>>= 7;
    }
    out.write((int) v);
  }

  /** Reads varints from a decoded plan, front to back; a read past the end is corruption. */
  private static final class Cursor {
    private final String file;
    private final byte[] b;
    private int pos;

    Cursor(String file, byte[] b, int pos) {
      this.file = file;
      this.b = b;
      this.pos = pos;
    }

    long varint() throws CorruptSnapshotException {
      long v = 0;
      for (int shift = 0; shift < 70; shift += 7) {
        if (pos >= b.length) {
          throw new CorruptSnapshotException(file, "prefetch plan ends inside an entry");
        }
        int x = b[pos++] & 0xFF;
        v |= (long) (x & 0x7F) << shift;
        if ((x & 0x80) == 0) {
          return v;
        }
      }
      throw new CorruptSnapshotException(file, "prefetch plan has a varint longer than 10 bytes");
    }

    /** Bytes not read yet. */
    int left() {
      return b.length - pos;
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof PrefetchPlan p && Arrays.equals(entries, p.entries);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(entries);
  }
}
