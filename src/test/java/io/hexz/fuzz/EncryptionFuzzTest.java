package io.hexz.fuzz;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.hexz.codec.CodecType;
import io.hexz.fuzz.Mutator.Span;
import io.hexz.read.ReadOptions;
import io.hexz.testing.QuietHexzLog;
import io.hexz.testing.Secrets;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Fuzzes an encrypted snapshot opened with the right password: the encryption block (KDF id and
 * costs, cipher, salt, key check) and the rest of the header, mostly with the header CRC
 * recomputed, and the sealed pages, payloads and metadata. Every input must read back exactly or
 * fail with an IOException naming the file ("wrong password or damaged header" for a changed
 * header). The format lets a header ask for Argon2 costs up to 1 GiB x 64 passes; inputs above
 * 32 MiB or 64 MiB-passes are counted as skipped rather than paid for (the bound is FORMAT.md's,
 * checked by the reader before a key is derived, and tested in CryptoTest).
 */
@ExtendWith(QuietHexzLog.class)
class EncryptionFuzzTest {
  private static Path dir;
  private static Images.Image img;
  private static Harness harness;

  @BeforeAll
  static void setUp() throws Exception {
    dir = Harness.tempDir("encryption");
    Random rnd = new Random(4);
    img = Images.write(dir.resolve("good.hxz"), Secrets.encrypt(Images.options(CodecType.LZ4), Secrets.PASSWORD)
        .build(), Images.content(rnd, 24, 16), Images.content(rnd, 4, 3));
    harness = new Harness("encryption", "in.hxz");
  }

  @AfterAll
  static void tearDown() throws Exception {
    harness.finish(dir);
  }

  private static final List<Span> FOCUS = List.of(new Span("encryption block", 1536, 256),
      new Span("kdf costs", 1540, 12), new Span("fixed fields", 0, 128), new Span("stream table", 128, 96),
      new Span("body", 4096, 1 << 16));

  @FuzzTest(maxDuration = "30s")
  void encryption(FuzzedDataProvider d) throws Exception {
    byte[] f = Mutator.mutate(d, img.bytes(), FOCUS, img.bytes().length, 64, 1 << 20, 8, 16, 32);
    if (d.consumeInt(0, 3) != 0) {
      Mutator.recrcHeader(f);
    }
    Path in = dir.resolve("in.hxz");
    Files.write(in, f);
    if (f.length >= 4096) {
      ByteBuffer e = Mutator.le(f);
      long memoryKiB = Integer.toUnsignedLong(e.getInt(1540));
      long iterations = Integer.toUnsignedLong(e.getInt(1544));
      if (memoryKiB > (32 << 10) || memoryKiB * iterations > (64 << 10)) {
        harness.skip();
        return;
      }
    }
    ReadOptions options = Secrets.read(Images.OPTIONS, Secrets.PASSWORD);
    boolean verify = d.consumeInt(0, 3) == 0;
    harness.check(Images.describe(img.bytes(), f),
        () -> Images.openAndRead(in, options, img.disk(), img.memory(), 65536, verify));
  }
}
