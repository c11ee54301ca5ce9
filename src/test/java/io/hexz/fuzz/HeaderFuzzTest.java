package io.hexz.fuzz;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.hexz.codec.CodecType;
import io.hexz.fuzz.Mutator.Span;
import io.hexz.testing.QuietHexzLog;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Fuzzes the header: edits aimed at its fields (versions, flags, block shift, codec, lengths,
 * offsets, stream table, parent hint), mostly with the header CRC recomputed so that each field's
 * own check is what has to catch the change, and sometimes with fileLength fixed after a
 * truncation or insertion. A snapshot with a disk and a memory stream is opened and read whole.
 */
@ExtendWith(QuietHexzLog.class)
class HeaderFuzzTest {
  private static Path dir;
  private static Images.Image img;
  private static Harness harness;

  @BeforeAll
  static void setUp() throws Exception {
    dir = Harness.tempDir("header");
    Random rnd = new Random(1);
    img = Images.write(dir.resolve("good.hxz"), Images.options(CodecType.LZ4).build(), Images.content(rnd, 40, 25),
        Images.content(rnd, 8, 6));
    harness = new Harness("header", "in.hxz");
  }

  @AfterAll
  static void tearDown() throws Exception {
    harness.finish(dir);
  }

  private static final List<Span> FIELDS = List.of(new Span("fixed fields", 0, 128),
      new Span("stream table", 128, 96), new Span("parent hint", 256, 64), new Span("tree slot", 1280, 48),
      new Span("header", 0, 4096), new Span("crc", 4092, 4));

  @FuzzTest(maxDuration = "30s")
  void header(FuzzedDataProvider d) throws Exception {
    java.nio.ByteBuffer h = Mutator.le(img.bytes());
    byte[] f = Mutator.mutate(d, img.bytes(), FIELDS, img.bytes().length, h.getLong(32), h.getInt(40),
        h.getLong(128 + 8), h.getInt(128 + 4), h.getLong(176 + 8), h.getLong(128 + 16), h.getLong(176 + 16));
    if (d.consumeBoolean()) {
      Mutator.fixFileLength(f);
    }
    boolean forged = d.consumeInt(0, 3) != 0;
    if (forged) {
      Mutator.recrcHeader(f);
    }
    int chunk = d.pickValue(new Integer[] {4096, 65536, 1000});
    boolean verify = d.consumeBoolean();
    Path in = dir.resolve("in.hxz");
    Files.write(in, f);
    harness.check(Images.describe(img.bytes(), f), forged
        ? () -> Images.openAndReadForged(in, Images.OPTIONS, img.disk(), img.memory(), chunk, verify)
        : () -> Images.openAndRead(in, Images.OPTIONS, img.disk(), img.memory(), chunk, verify));
  }
}
