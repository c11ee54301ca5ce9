package io.hexz.fuzz;

import io.hexz.Hexz;
import io.hexz.codec.CodecType;
import io.hexz.read.BlockDevice;
import io.hexz.read.ReadOptions;
import io.hexz.read.Snapshot;
import io.hexz.read.VerifyReport;
import io.hexz.testing.Snaps;
import io.hexz.testing.TestData;
import io.hexz.write.WriteOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Small image snapshots for the fuzz targets and the check that reads one back. Stateless. */
final class Images {
  private Images() {}

  /** A good snapshot file, its bytes and the content of its streams (memory may be null). */
  record Image(Path good, byte[] bytes, byte[] disk, byte[] memory) {}

  /** Reader options for fuzzing: a small cache, no prefetch threads (each input is read once). */
  static final ReadOptions OPTIONS = ReadOptions.UNCACHED.withCacheBytes(2L << 20);

  /** Options for a fuzz fixture: 4 KiB blocks (many blocks in a small file), dedup on. */
  static WriteOptions.Builder options(CodecType codec) {
    return Snaps.options(4096, codec, codec == CodecType.ZSTD ? 3 : 0, true);
  }

  /**
   * Content of {@code blocks} 4 KiB blocks plus an odd tail: about {@code stored} of them hold
   * text, noise or sparse data (some repeated, so dedup shares payloads), the rest are zero.
   */
  static byte[] content(Random rnd, int blocks, int stored) {
    int bs = 4096;
    byte[] b = new byte[blocks * bs + 1234];
    List<Integer> written = new ArrayList<>();
    for (int i = 0; i < stored; i++) {
      int at = rnd.nextInt(blocks);
      byte[] blk = switch (rnd.nextInt(4)) {
        case 0 -> TestData.text(bs, rnd);
        case 1 -> TestData.random(bs, rnd);
        case 2 -> TestData.sparse(bs, 256, rnd);
        default -> written.isEmpty() ? TestData.text(bs, rnd)
            : java.util.Arrays.copyOfRange(b, written.get(0) * bs, written.get(0) * bs + bs);
      };
      System.arraycopy(blk, 0, b, at * bs, bs);
      written.add(at);
    }
    byte[] tail = TestData.text(1234, rnd);
    System.arraycopy(tail, 0, b, blocks * bs, tail.length);
    return b;
  }

  static Image write(Path file, WriteOptions options, byte[] disk, byte[] memory) throws IOException {
    Snaps.write(file, options, disk, memory, false);
    return new Image(file, Files.readAllBytes(file), disk, memory);
  }

  /**
   * The oracle for an image snapshot: opens {@code file} through the public API, reads the header
   * and metadata, then every byte of each stream the original had, which must be exactly the
   * original; with {@code verify}, runs verify too (which may report problems, but must not
   * throw anything but an IOException).
   */
  static void openAndRead(Path file, ReadOptions options, byte[] disk, byte[] memory, int chunk, boolean verify)
      throws IOException {
    try (Snapshot s = Hexz.open(file, options)) {
      s.header();
      s.metadata().toString();
      Harness.readExact(s.disk(), disk, chunk, "disk stream");
      if (memory != null) {
        BlockDevice m = s.memory().orElseThrow(() -> new Harness.WrongContent("the memory stream is gone"));
        Harness.readExact(m, memory, chunk, "memory stream");
      }
    }
    if (verify) {
      Hexz.verify(file.toString(), options);
    }
  }

  /**
   * The oracle for a <em>forged</em> clear, unsigned file: one whose edits were made to pass the
   * checksums (header, metadata or page CRCs recomputed, a page re-stored and repointed). Those
   * checksums detect damage, not deliberate edits, and such a file is a different snapshot that
   * may read back other content (FORMAT.md, Trust). What must hold is that {@code verify}, which
   * recomputes every block's hash and the identity, refuses it: it may read back differently
   * only if verify then reports a problem. Anything else is judged as by {@link #openAndRead}.
   * Signed and encrypted files get no such allowance: their targets use {@link #openAndRead}.
   */
  static void openAndReadForged(Path file, ReadOptions options, byte[] disk, byte[] memory, int chunk,
      boolean verify) throws IOException {
    try {
      openAndRead(file, options, disk, memory, chunk, verify);
    } catch (Harness.WrongContent w) {
      VerifyReport r;
      try {
        r = Hexz.verify(file.toString(), options);
      } catch (IOException refused) {
        throw new VerifyRefusedForgery(refused.getMessage());
      }
      if (r.ok()) {
        throw new AssertionError(w.getMessage() + ", and verify accepts the file", w);
      }
      throw new VerifyRefusedForgery(file + ": " + r.problems().get(0));
    }
  }

  /** A forged file read back other content, and verify refused it: what the format promises. */
  static final class VerifyRefusedForgery extends IOException {
    private static final long serialVersionUID = 1L;

    VerifyRefusedForgery(String message) {
      super(message);
    }
  }

  /** Where the first byte of {@code f} differs from {@code good}, for failure messages. */
  static String describe(byte[] good, byte[] f) {
    int m = java.util.Arrays.mismatch(good, f);
    return "a " + f.length + "-byte file (original " + good.length + "), first changed byte at " + m;
  }
}
