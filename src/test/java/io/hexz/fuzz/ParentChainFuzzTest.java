package io.hexz.fuzz;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.hexz.codec.CodecType;
import io.hexz.fuzz.Mutator.Span;
import io.hexz.testing.Layout;
import io.hexz.testing.QuietHexzLog;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Fuzzes parent chains: a thin child c.hxz over p.hxz. Each input edits either file (the
 * parent identity, the path hint and its length, the flags, anything else), often after first
 * turning the chain into a loop (the child named as its own parent, or the parent made thin over
 * the child: a cycle of two), with the header CRC recomputed. The child is opened and read:
 * exactly its content, or an IOException naming one of the two files; never a
 * StackOverflowError or a hang.
 */
@ExtendWith(QuietHexzLog.class)
class ParentChainFuzzTest {
  private static Path dir;
  private static byte[] parent;
  private static byte[] child;
  private static byte[] childDisk;
  private static List<Span> childFocus;
  private static List<Span> parentFocus;
  private static Harness harness;

  @BeforeAll
  static void setUp() throws Exception {
    dir = Harness.tempDir("chain");
    Random rnd = new Random(6);
    byte[] parentDisk = Images.content(rnd, 30, 20);
    childDisk = parentDisk.clone();
    byte[] changed = Images.content(rnd, 6, 6);
    System.arraycopy(changed, 0, childDisk, 5 * 4096, 6 * 4096);
    Path p = dir.resolve("p.hxz");
    Path c = dir.resolve("c.hxz");
    parent = Images.write(p, Images.options(CodecType.LZ4).build(), parentDisk, null).bytes();
    child = Images.write(c, Images.options(CodecType.ZSTD).parent(p).build(), childDisk, null).bytes();
    childFocus = focus(c);
    parentFocus = focus(p);
    harness = new Harness("chain", "c.hxz", "p.hxz");
  }

  private static List<Span> focus(Path f) throws Exception {
    List<Span> out = new ArrayList<>(List.of(new Span("parent identity", 80, 32), new Span("hint length", 112, 2),
        new Span("hint", 256, 16), new Span("flags", 12, 4), new Span("header", 0, 4096)));
    for (Layout.Extent e : Layout.parse(f).extents) {
      out.add(new Span(e.what(), (int) e.offset(), (int) e.length()));
    }
    return out;
  }

  @AfterAll
  static void tearDown() throws Exception {
    harness.finish(dir);
  }

  /** Makes {@code f} thin over the snapshot with {@code identity}, found at {@code hint}. */
  static void makeThin(byte[] f, byte[] identity, String hint) {
    Mutator.le(f).putInt(12, Mutator.le(f).getInt(12) | 1);
    System.arraycopy(identity, 0, f, 80, 32);
    byte[] h = hint.getBytes(StandardCharsets.UTF_8);
    Arrays.fill(f, 256, 1280, (byte) 0);
    System.arraycopy(h, 0, f, 256, h.length);
    Mutator.le(f).putShort(112, (short) h.length);
  }

  static byte[] identity(byte[] f) {
    return Arrays.copyOfRange(f, 48, 80);
  }

  @FuzzTest(maxDuration = "30s")
  void chain(FuzzedDataProvider d) throws Exception {
    byte[] c = child.clone();
    byte[] p = parent.clone();
    switch (d.consumeInt(0, 3)) {
      case 1 -> makeThin(c, identity(c), "c.hxz");
      case 2 -> makeThin(p, identity(c), "c.hxz");
      case 3 -> makeThin(p, identity(p), "p.hxz");
      default -> { }
    }
    if (d.consumeBoolean()) {
      c = Mutator.mutate(d, c, childFocus, c.length, 4096);
    } else {
      p = Mutator.mutate(d, p, parentFocus, p.length, 4096);
    }
    boolean forged = d.consumeInt(0, 3) != 0;
    if (forged) {
      Mutator.recrcHeader(c);
      Mutator.recrcHeader(p);
    }
    Path cf = dir.resolve("c.hxz");
    Files.write(cf, c);
    Files.write(dir.resolve("p.hxz"), p);
    boolean verify = d.consumeInt(0, 3) == 0;
    harness.check(Images.describe(child, c) + "; parent " + Images.describe(parent, p),
        forged ? () -> Images.openAndReadForged(cf, Images.OPTIONS, childDisk, null, 65536, verify)
            : () -> Images.openAndRead(cf, Images.OPTIONS, childDisk, null, 65536, verify));
  }
}
