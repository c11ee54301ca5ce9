package io.hexz.fuzz;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.hexz.Hexz;
import io.hexz.codec.CodecType;
import io.hexz.crypto.Signatures;
import io.hexz.fuzz.Mutator.Span;
import io.hexz.read.ReadOptions;
import io.hexz.testing.Layout;
import io.hexz.testing.Layout.Region;
import io.hexz.testing.QuietHexzLog;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Fuzzes a signed snapshot opened with its public key ({@code ReadOptions.withPublicKey}, the
 * library's {@code --public-key}): the signature block, the SIGNED flag, the rest of the header,
 * the metadata, pages and payloads, with every CRC the edit breaks forged back where the test
 * can (header, metadata). A signed reader must not need the CRCs: any change is refused or the
 * bytes read are exactly the signed ones.
 */
@ExtendWith(QuietHexzLog.class)
class SignatureFuzzTest {
  private static Path dir;
  private static Images.Image img;
  private static ReadOptions options;
  private static List<Span> focus;
  private static Harness harness;

  @BeforeAll
  static void setUp() throws Exception {
    dir = Harness.tempDir("signature");
    Random rnd = new Random(5);
    Path good = dir.resolve("good.hxz");
    byte[] disk = Images.content(rnd, 24, 16);
    Images.write(good, Images.options(CodecType.LZ4).build(), disk, null);
    KeyPair key = Signatures.generate();
    Hexz.sign(good, key.getPrivate(), ReadOptions.DEFAULTS);
    img = new Images.Image(good, Files.readAllBytes(good), disk, null);
    options = Images.OPTIONS.withPublicKey(key.getPublic());
    focus = new ArrayList<>(List.of(new Span("signature block", 2048, 256), new Span("flags", 12, 8),
        new Span("header", 0, 4096)));
    for (Layout.Extent e : Layout.parse(good).extents) {
      if (e.region() != Region.HEADER) {
        focus.add(new Span(e.what(), (int) e.offset(), (int) e.length()));
      }
    }
    harness = new Harness("signature", "in.hxz");
  }

  @AfterAll
  static void tearDown() throws Exception {
    harness.finish(dir);
  }

  @FuzzTest(maxDuration = "30s")
  void signature(FuzzedDataProvider d) throws Exception {
    byte[] f = Mutator.mutate(d, img.bytes(), focus, img.bytes().length, 1, 64, 32);
    if (d.consumeInt(0, 3) != 0) {
      Mutator.fixMetaCrc(f);
      Mutator.fixFileLength(f);
      Mutator.recrcHeader(f);
    }
    boolean verify = d.consumeInt(0, 3) == 0;
    Path in = dir.resolve("in.hxz");
    Files.write(in, f);
    harness.check(Images.describe(img.bytes(), f),
        () -> Images.openAndRead(in, options, img.disk(), null, 65536, verify));
  }
}
