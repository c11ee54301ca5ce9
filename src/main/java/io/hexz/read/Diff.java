package io.hexz.read;

import io.hexz.format.Format;
import io.hexz.format.StreamKind;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * The exact byte ranges in which two snapshots' streams differ. With equal block sizes, blocks
 * whose index hashes agree are skipped without reading them (a child and its parent differ only
 * where the child stores blocks); other blocks are read and compared byte by byte. Stateless.
 */
public final class Diff {
  private Diff() {}

  /** Receives changed ranges in ascending order, adjacent ranges merged. */
  public interface RangeSink {
    void range(long offset, long length) throws IOException;
  }

  /** Totals of a diff. */
  public record Summary(long sizeA, long sizeB, long changedBytes, long ranges, long blocksRead) {}

  public static Summary diff(Snapshot a, Snapshot b, StreamKind kind, RangeSink out) throws IOException {
    BlockDevice da = a.stream(kind).orElse(null);
    BlockDevice db = b.stream(kind).orElse(null);
    long sa = da == null ? 0 : da.size();
    long sb = db == null ? 0 : db.size();
    Merger m = new Merger(out);
    long common = Math.min(sa, sb);
    long[] read = {0};
    if (common > 0) {
      int bsA = a.header().blockSize();
      if (bsA == b.header().blockSize()) {
        byHash(ParentIndex.of(a), ParentIndex.of(b), da, db, kind, common, bsA, m, read);
      } else {
        compare(da, db, 0, common, m);
        read[0] = Format.ceilDiv(common, bsA);
      }
    }
    if (sa != sb) {
      m.add(common, Math.max(sa, sb) - common);
    }
    m.flush();
    return new Summary(sa, sb, m.total, m.count, read[0]);
  }

  private static void byHash(ParentIndex ia, ParentIndex ib, BlockDevice da, BlockDevice db, StreamKind kind,
      long common, int bs, Merger m, long[] read) throws IOException {
    byte[] ha = new byte[Format.HASH_SIZE];
    byte[] hb = new byte[Format.HASH_SIZE];
    long blocks = Format.ceilDiv(common, bs);
    for (long blk = 0; blk < blocks; blk++) {
      long start = blk * bs;
      long len = Math.min(bs, common - start);
      boolean full = ia.blockLength(kind, blk) == len && ib.blockLength(kind, blk) == len;
      if (full) {
        ia.hashAndCrc(kind, blk, ha);
        ib.hashAndCrc(kind, blk, hb);
        if (Arrays.equals(ha, hb)) {
          continue;
        }
      }
      read[0]++;
      compare(da, db, start, len, m);
    }
  }

  /** Byte-exact comparison of [start, start+len) of two devices, in 1 MiB pieces. */
  private static void compare(BlockDevice da, BlockDevice db, long start, long len, Merger m) throws IOException {
    int chunk = (int) Math.min(1 << 20, len);
    byte[] x = new byte[chunk];
    byte[] y = new byte[chunk];
    for (long pos = start; pos < start + len; pos += chunk) {
      int n = (int) Math.min(chunk, start + len - pos);
      readFully(da, x, n, pos);
      readFully(db, y, n, pos);
      int i = 0;
      while (i < n) {
        int d = Arrays.mismatch(x, i, n, y, i, n);
        if (d < 0) {
          break;
        }
        int from = i + d;
        int to = from + 1;
        while (to < n && x[to] != y[to]) {
          to++;
        }
        m.add(pos + from, to - from);
        i = to;
      }
    }
  }

  private static void readFully(BlockDevice d, byte[] b, int n, long pos) throws IOException {
    ByteBuffer bb = ByteBuffer.wrap(b, 0, n);
    while (bb.hasRemaining()) {
      if (d.read(bb, pos + bb.position()) < 0) {
        throw new IOException("unexpected end of stream at " + (pos + bb.position()));
      }
    }
  }

  /** Merges touching ranges before passing them on. Not thread-safe. */
  private static final class Merger {
    private final RangeSink out;
    private long start = -1;
    private long end;
    long total;
    long count;

    Merger(RangeSink out) {
      this.out = out;
    }

    void add(long offset, long length) throws IOException {
      if (start >= 0 && offset == end) {
        end += length;
        return;
      }
      flush();
      start = offset;
      end = offset + length;
    }

    void flush() throws IOException {
      if (start >= 0) {
        out.range(start, end - start);
        total += end - start;
        count++;
        start = -1;
      }
    }
  }
}
