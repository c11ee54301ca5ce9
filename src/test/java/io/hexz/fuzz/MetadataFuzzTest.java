package io.hexz.fuzz;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.hexz.codec.CodecType;
import io.hexz.fuzz.Mutator.Span;
import io.hexz.testing.QuietHexzLog;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Fuzzes the metadata JSON: either byte edits of the stored JSON, or a whole new metadata
 * section (fuzzer text spliced into the original JSON) appended at the end of the file; in both
 * cases usually with metaCrc, fileLength and the header CRC recomputed, so the JSON parser and
 * the checks of its fields see the damage. Metadata never changes content: every stream must
 * still read back exactly, or open must fail with an IOException naming the file.
 */
@ExtendWith(QuietHexzLog.class)
class MetadataFuzzTest {
  private static Path dir;
  private static Images.Image img;
  private static Harness harness;
  private static int metaOffset;
  private static int metaLength;

  @BeforeAll
  static void setUp() throws Exception {
    dir = Harness.tempDir("metadata");
    Random rnd = new Random(2);
    img = Images.write(dir.resolve("good.hxz"),
        Images.options(CodecType.ZSTD).meta("owner", "ci").meta("note", "ünïcødé \"quoted\" \\ \n")
            .build(), Images.content(rnd, 20, 12), null);
    ByteBuffer h = Mutator.le(img.bytes());
    metaOffset = (int) h.getLong(32);
    metaLength = h.getInt(40);
    harness = new Harness("metadata", "in.hxz");
  }

  @AfterAll
  static void tearDown() throws Exception {
    harness.finish(dir);
  }

  @FuzzTest(maxDuration = "30s")
  void metadata(FuzzedDataProvider d) throws Exception {
    byte[] f;
    if (d.consumeBoolean()) {
      f = Mutator.mutate(d, img.bytes(), List.of(new Span("metadata", metaOffset, metaLength),
          new Span("meta fields", 32, 16)), metaOffset, metaLength, img.bytes().length);
    } else {
      String json = new String(img.bytes(), metaOffset, metaLength, StandardCharsets.UTF_8);
      int at = d.consumeInt(0, json.length());
      int cut = d.consumeInt(0, json.length() - at);
      String spliced = json.substring(0, at) + d.consumeString(200) + json.substring(at + cut);
      byte[] meta = spliced.getBytes(StandardCharsets.UTF_8);
      f = java.util.Arrays.copyOf(img.bytes(), img.bytes().length + meta.length);
      System.arraycopy(meta, 0, f, img.bytes().length, meta.length);
      Mutator.le(f).putLong(32, img.bytes().length).putInt(40, meta.length);
    }
    boolean forged = d.consumeInt(0, 3) != 0;
    if (forged) {
      Mutator.fixMetaCrc(f);
      Mutator.fixFileLength(f);
      Mutator.recrcHeader(f);
    }
    Path in = dir.resolve("in.hxz");
    Files.write(in, f);
    harness.check(Images.describe(img.bytes(), f), forged
        ? () -> Images.openAndReadForged(in, Images.OPTIONS, img.disk(), null, 65536, false)
        : () -> Images.openAndRead(in, Images.OPTIONS, img.disk(), null, 65536, false));
  }
}
