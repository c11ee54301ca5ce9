package io.hexz.fuzz;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.hexz.codec.Codec;
import io.hexz.codec.CodecType;
import io.hexz.fuzz.Mutator.Span;
import io.hexz.testing.Layout;
import io.hexz.testing.Layout.Region;
import io.hexz.testing.QuietHexzLog;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Fuzzes index pages and what they point at. A disk stream of 1100 blocks (a root page over two
 * leaf pages) and a memory stream with a single-page index. Half the inputs edit the stored
 * bytes of pages and payloads directly (lz4-compressed pages feed the decompressor damaged
 * input); the other half decode a page, edit its entries (kind, storedLength, payload offset,
 * CRCs, SHA-256, counts, levels, child pointers), usually recompute its own CRC, store it raw
 * at the end of the file and repoint its parent (the root's inner entry or the header's stream
 * slot) with the right length and CRC, so that every check behind the checksums is exercised.
 * Those rewrites are forgeries, judged by {@link Images#openAndReadForged}.
 */
@ExtendWith(QuietHexzLog.class)
class IndexFuzzTest {
  private static Path dir;
  private static Images.Image img;
  private static List<Span> pagesAndPayloads;
  private static Harness harness;

  @BeforeAll
  static void setUp() throws Exception {
    dir = Harness.tempDir("index");
    Random rnd = new Random(3);
    img = Images.write(dir.resolve("good.hxz"), Images.options(CodecType.LZ4).build(),
        Images.content(rnd, 1100, 40), Images.content(rnd, 10, 6));
    Layout layout = Layout.parse(img.good());
    pagesAndPayloads = new ArrayList<>();
    for (Layout.Extent e : layout.extents) {
      if (e.region() != Region.HEADER && e.region() != Region.METADATA) {
        pagesAndPayloads.add(new Span(e.what(), (int) e.offset(), (int) e.length()));
      }
    }
    harness = new Harness("index", "in.hxz");
  }

  @AfterAll
  static void tearDown() throws Exception {
    harness.finish(dir);
  }

  @FuzzTest(maxDuration = "30s")
  void index(FuzzedDataProvider d) throws Exception {
    boolean forged = !d.consumeBoolean();
    byte[] f = forged ? rewritePage(d, img.bytes())
        : Mutator.mutate(d, img.bytes(), pagesAndPayloads, img.bytes().length);
    int chunk = d.pickValue(new Integer[] {4096, 65536, 3000});
    boolean verify = d.consumeInt(0, 3) == 0;
    Path in = dir.resolve("in.hxz");
    Files.write(in, f);
    harness.check(Images.describe(img.bytes(), f), forged
        ? () -> Images.openAndReadForged(in, Images.OPTIONS, img.disk(), img.memory(), chunk, verify)
        : () -> Images.openAndRead(in, Images.OPTIONS, img.disk(), img.memory(), chunk, verify));
  }

  /** Offset of a stream slot in the header. */
  private static int slot(int s) {
    return 128 + 48 * s;
  }

  private static byte[] rewritePage(FuzzedDataProvider d, byte[] good) throws Exception {
    ByteBuffer h = Mutator.le(good);
    int s = d.consumeInt(0, 1);
    long rootOff = h.getLong(slot(s) + 8);
    int rootLen = h.getInt(slot(s) + 4);
    byte[] root = raw(good, rootOff, rootLen);
    byte[] f = good.clone();
    boolean child = Byte.toUnsignedInt(root[4]) > 0 && d.consumeBoolean();
    if (child) {
      int count = Short.toUnsignedInt(Mutator.le(root).getShort(6));
      int e = 16 + 16 * d.consumeInt(0, count - 1);
      byte[] leaf = edit(d, raw(good, Mutator.le(root).getLong(e), Mutator.le(root).getInt(e + 8)));
      long at = f.length;
      byte[] stored = stored(leaf);
      f = append(f, stored);
      Mutator.le(root).putLong(e, at).putInt(e + 8, stored.length).putInt(e + 12, Mutator.crc(stored, 0,
          stored.length));
      recrcPage(root);
    } else {
      root = edit(d, root);
    }
    long at = f.length;
    byte[] stored = stored(root);
    f = append(f, stored);
    Mutator.le(f).putInt(slot(s) + 4, stored.length).putLong(slot(s) + 8, at)
        .putInt(slot(s) + 32, Mutator.crc(stored, 0, stored.length));
    Mutator.fixFileLength(f);
    Mutator.recrcHeader(f);
    return f;
  }

  /** Edits the decoded page: its 16-byte head or its entries; usually recomputes its CRC. */
  private static byte[] edit(FuzzedDataProvider d, byte[] page) {
    List<Span> focus = List.of(new Span("page head", 0, 16), new Span("entries", 16, Math.max(1, page.length - 20)));
    byte[] p = Mutator.mutate(d, page, focus, page.length, img.bytes().length, 4096, 56, 16);
    if (d.consumeInt(0, 3) != 0 && p.length >= 4) {
      recrcPage(p);
    }
    return p;
  }

  private static void recrcPage(byte[] p) {
    Mutator.le(p).putInt(p.length - 4, Mutator.crc(p, 0, p.length - 4));
  }

  /** The page stored raw: form 0, reserved, rawLength, the page. */
  private static byte[] stored(byte[] page) {
    byte[] s = new byte[8 + page.length];
    Mutator.le(s).putInt(4, page.length);
    System.arraycopy(page, 0, s, 8, page.length);
    return s;
  }

  /** The decoded page stored at [off, off + len) of a good file. */
  private static byte[] raw(byte[] file, long off, int len) throws Exception {
    ByteBuffer b = Mutator.le(file);
    int form = file[(int) off];
    int rawLength = b.getInt((int) off + 4);
    byte[] raw = new byte[rawLength];
    if (form == 0) {
      System.arraycopy(file, (int) off + 8, raw, 0, rawLength);
    } else {
      Codec.of(CodecType.LZ4, 0).decompress(file, (int) off + 8, len - 8, raw, 0, rawLength);
    }
    return raw;
  }

  private static byte[] append(byte[] f, byte[] tail) {
    byte[] out = java.util.Arrays.copyOf(f, f.length + tail.length);
    System.arraycopy(tail, 0, out, f.length, tail.length);
    return out;
  }
}
