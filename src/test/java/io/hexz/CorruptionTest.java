package io.hexz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hexz.codec.CodecType;
import io.hexz.format.CorruptSnapshotException;
import io.hexz.format.SnapshotException;
import io.hexz.format.SnapshotFormatTooNewException;
import io.hexz.format.StreamKind;
import io.hexz.read.BlockDevice;
import io.hexz.read.ReadOptions;
import io.hexz.read.Snapshot;
import io.hexz.read.VerifyReport;
import io.hexz.testing.Damage;
import io.hexz.testing.Layout;
import io.hexz.testing.Layout.Extent;
import io.hexz.testing.Layout.Region;
import io.hexz.testing.Seeds;
import io.hexz.testing.Snaps;
import io.hexz.testing.TestData;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Damage on purpose: flipped bits everywhere, truncation, zeroed ranges, absurd header fields
 * (with the header CRC recomputed so the field checks themselves are exercised), bad magic,
 * newer versions and unknown features.
 *
 * <p>The property for every damaged file: opening it throws a {@link SnapshotException}, or
 * reading each stream returns exactly the bytes that were written or throws an
 * {@link IOException} for the damaged block; never different bytes, never another exception,
 * never a hang. And because every byte of a snapshot belongs to a checked structure (the test
 * proves the structures tile the file: header under the header CRC, payloads under their
 * block's content CRC and SHA-256, index pages under their own CRC and their parent's, metadata
 * under the CRC in the header), verify must report a problem for every change of a byte.
 */
class CorruptionTest {
  private static final long SEED = Seeds.fixed(CorruptionTest.class, 0x5EED_C0DEL);
  private static final Logger HEXZ_LOG = Logger.getLogger("io.hexz");
  private static Level savedLevel;

  @TempDir
  static Path dir;

  /** A good snapshot and what it holds. */
  record Fixture(String name, Path good, byte[] disk, byte[] memory, int blockSize, Layout layout) {}

  /** Fixtures by codec: different payload encodings, one with a two-level index. */
  enum Kind {
    /** lz4, 4 KiB blocks, more than 1024 blocks (internal index page), memory stream after disk. */
    LZ4,
    /** zstd, 4 KiB blocks, memory stream written first. */
    ZSTD,
    /** uncompressed, 8 KiB blocks, no memory stream. */
    NONE
  }

  private static final Map<Kind, Fixture> FIXTURES = new EnumMap<>(Kind.class);

  @BeforeAll
  static void buildFixtures() throws IOException {
    savedLevel = HEXZ_LOG.getLevel();
    HEXZ_LOG.setLevel(Level.OFF); // damaged blocks are logged as warnings; hundreds are expected here
    Random rnd = new Random(SEED);
    FIXTURES.put(Kind.LZ4, fixture("lz4", CodecType.LZ4, 0, 4096, blocks(1100, 4096, rnd, 123),
        blocks(40, 4096, rnd, 77), false));
    FIXTURES.put(Kind.ZSTD, fixture("zstd", CodecType.ZSTD, 3, 4096, blocks(200, 4096, rnd, 5),
        blocks(30, 4096, rnd, 1), true));
    FIXTURES.put(Kind.NONE, fixture("none", CodecType.NONE, 0, 8192, blocks(100, 8192, rnd, 1), null, false));
  }

  @AfterAll
  static void restoreLogging() {
    HEXZ_LOG.setLevel(savedLevel);
  }

  /** Content with every block kind: zero, text, noise, text with zero runs, duplicates. */
  private static byte[] blocks(int n, int bs, Random rnd, int tail) {
    byte[] b = new byte[n * bs + tail];
    List<Integer> nonZero = new ArrayList<>();
    for (int i = 0; i <= n; i++) {
      int len = i == n ? tail : bs;
      int r = rnd.nextInt(100);
      byte[] blk;
      if (r < 50 && i != n) {
        continue; // zero
      } else if (r < 65) {
        blk = TestData.text(len, rnd);
      } else if (r < 75) {
        blk = TestData.random(len, rnd);
      } else if (r < 88 || nonZero.isEmpty() || len != bs) {
        blk = TestData.sparse(len, 256, rnd);
        blk[0] = 1;
      } else {
        int from = nonZero.get(rnd.nextInt(nonZero.size())) * bs;
        blk = Arrays.copyOfRange(b, from, from + bs);
      }
      System.arraycopy(blk, 0, b, i * bs, len);
      if (len == bs) {
        nonZero.add(i);
      }
    }
    return b;
  }

  private static Fixture fixture(String name, CodecType codec, int level, int bs, byte[] disk, byte[] memory,
      boolean memoryFirst) throws IOException {
    Path good = dir.resolve(name + "-good.hxz");
    Snaps.write(good, Snaps.options(bs, codec, level, true).build(), disk, memory, memoryFirst);
    VerifyReport v = Hexz.verify(good);
    assertTrue(v.ok(), name + ": the fixture itself must be valid: " + v.problems());
    return new Fixture(name, good, disk, memory, bs, Layout.parse(good));
  }

  // ---- the structure map the damage is aimed with

  @ParameterizedTest
  @EnumSource(Kind.class)
  void everyByteOfTheFileBelongsToACheckedStructure(Kind kind) {
    Fixture f = FIXTURES.get(kind);
    f.layout().assertTilesTheFile();
    assertFalse(f.layout().of(Region.LEAF_PAGE).isEmpty() && f.layout().of(Region.ROOT_PAGE).isEmpty());
    if (kind == Kind.LZ4) {
      assertFalse(f.layout().of(Region.INTERNAL_PAGE).isEmpty() == f.layout().of(Region.LEAF_PAGE).isEmpty(),
          "the lz4 fixture must have a two-level index");
      assertFalse(f.layout().of(Region.PAYLOAD_LZ4).isEmpty());
      assertFalse(f.layout().of(Region.PAYLOAD_RAW).isEmpty());
    }
    if (kind == Kind.ZSTD) {
      assertFalse(f.layout().of(Region.PAYLOAD_ZSTD).isEmpty());
    }
  }

  // ---- single-bit flips

  /** Compressed payloads: see {@link #everyBitFlipInACompressedPayloadIsReportedByVerify}. */
  private static boolean compressed(Region r) {
    return r == Region.PAYLOAD_LZ4 || r == Region.PAYLOAD_ZSTD;
  }

  @ParameterizedTest
  @EnumSource(Kind.class)
  void everySingleBitFlipIsCaughtAndNeverYieldsWrongBytes(Kind kind) throws Exception {
    Fixture f = FIXTURES.get(kind);
    Random rnd = new Random(Seeds.derive(SEED, "flip", kind));
    List<long[]> flips = new ArrayList<>();
    for (long pos : flipPositions(f, rnd, kind == Kind.LZ4 ? 32 : 25)) {
      flips.add(new long[] {pos, rnd.nextInt(8)});
    }
    Report report = new Report(f.name() + " bit flips, " + Seeds.describe(SEED));
    inParallel(f, flips, (work, flip) -> {
      long pos = flip[0];
      int bit = (int) flip[1];
      Extent where = f.layout().at(pos);
      String what = "bit " + bit + " of byte " + pos + " (" + where.region() + ": " + where.what() + ")";
      Damage.toggleBitInPlace(work, pos, bit);
      try {
        Outcome o = check(f, work, what, report, pos % 4 == 0, !compressed(where.region()));
        boolean mustFailOpen = where.region() == Region.HEADER || where.region() == Region.METADATA
            || where.region() == Region.ROOT_PAGE;
        if (mustFailOpen && o.openFailure == null) {
          report.fail(where.region(), what + ": open succeeded, but this structure is checked at open");
        }
        if (o.openFailure != null && where.region() == Region.HEADER
            && o.openFailure.getClass() != CorruptSnapshotException.class) {
          report.fail(where.region(), what + ": a damaged header must be CorruptSnapshotException, got " + o.openFailure);
        }
        report.count(where.region(), o);
      } finally {
        Damage.toggleBitInPlace(work, pos, bit);
      }
    });
    assertTrue(flips.size() >= (kind == Kind.LZ4 ? 250 : 150), "too few flips: " + flips.size());
    report.assertClean();
  }

  /**
   * A flip inside an lz4 or zstd payload can leave the decoded block unchanged: an lz4 match
   * offset inside a run of equal bytes (a run of zeros is typical) still copies the same bytes
   * when one of its bits changes. Reads then return the right bytes (the property above holds),
   * but the file differs from what was written and verify cannot tell, because the only
   * checksums of a block (CRC32C and SHA-256 in its index entry) cover the decoded content, not
   * the stored bytes. Seen here with the fixed seed: 2 of 600 flips in lz4 payloads and 2 of 600
   * in zstd payloads pass verify.
   */
  @ParameterizedTest
  @EnumSource(value = Kind.class, names = {"LZ4", "ZSTD"})
  void everyBitFlipInACompressedPayloadIsReportedByVerify(Kind kind) throws Exception {
    Fixture f = FIXTURES.get(kind);
    Random rnd = new Random(Seeds.derive(SEED, "payload-flip", kind));
    List<Extent> payloads = f.layout().of(kind == Kind.LZ4 ? Region.PAYLOAD_LZ4 : Region.PAYLOAD_ZSTD);
    List<long[]> flips = new ArrayList<>();
    for (int i = 0; i < 600; i++) {
      Extent e = payloads.get(rnd.nextInt(payloads.size()));
      flips.add(new long[] {e.offset() + (long) (rnd.nextDouble() * e.length()), rnd.nextInt(8)});
    }
    Report report = new Report(f.name() + " payload bit flips, " + Seeds.describe(SEED));
    inParallel(f, flips, (work, flip) -> {
      Damage.toggleBitInPlace(work, flip[0], (int) flip[1]);
      try {
        String what = "bit " + flip[1] + " of byte " + flip[0] + " (" + f.layout().at(flip[0]).what() + ")";
        report.count(f.layout().at(flip[0]).region(), check(f, work, what, report, false, true));
      } finally {
        Damage.toggleBitInPlace(work, flip[0], (int) flip[1]);
      }
    });
    report.assertClean();
  }

  /** Work on a damaged copy of a fixture; each worker thread has its own copy of the good file. */
  interface DamageJob {
    void run(Path work, long[] item) throws Exception;
  }

  /** Runs {@code job} for every item on two threads (the checks are CPU-bound and independent). */
  private static void inParallel(Fixture f, List<long[]> items, DamageJob job) throws Exception {
    int threads = 2;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int first = t;
        done.add(pool.submit(() -> {
          Path work = Files.copy(f.good(), dir.resolve(f.name() + "-work" + first + ".hxz"),
              StandardCopyOption.REPLACE_EXISTING);
          for (int i = first; i < items.size(); i += threads) {
            job.run(work, items.get(i));
          }
          assertEquals(-1L, Files.mismatch(work, f.good()), "the work copy was not restored");
          return null;
        }));
      }
      for (Future<?> d : done) {
        try {
          d.get();
        } catch (ExecutionException e) {
          if (e.getCause() instanceof Error) {
            throw (Error) e.getCause();
          }
          throw (Exception) e.getCause();
        }
      }
    } finally {
      pool.shutdownNow();
    }
  }

  /** Positions in every kind of structure (stratified), some fixed header fields, and uniform ones. */
  private static TreeSet<Long> flipPositions(Fixture f, Random rnd, int perRegion) {
    TreeSet<Long> out = new TreeSet<>();
    long[] headerFields = {0, 7, 8, 9, 10, 12, 15, 16, 20, 21, 22, 24, 31, 32, 40, 43, 44, 48, 79, 80, 111, 112, 128,
        129, 132, 136, 144, 151, 152, 176, 177, 180, 184, 192, 200, 256, 300, 1279, 1280, 2000, 4091, 4092, 4093,
        4094, 4095};
    for (long p : headerFields) {
      out.add(p);
    }
    for (Region r : Region.values()) {
      List<Extent> es = f.layout().of(r);
      if (es.isEmpty()) {
        continue;
      }
      for (int k = 0; k < perRegion; k++) {
        Extent e = es.get(rnd.nextInt(es.size()));
        // Half anywhere in the structure, half in its first and last 32 bytes (headers, trailers).
        long within = rnd.nextBoolean() ? (long) (rnd.nextDouble() * e.length())
            : rnd.nextBoolean() ? rnd.nextInt((int) Math.min(32, e.length()))
            : e.length() - 1 - rnd.nextInt((int) Math.min(32, e.length()));
        out.add(e.offset() + within);
      }
    }
    for (int k = 0; k < 2 * perRegion; k++) {
      out.add((long) (rnd.nextDouble() * f.layout().fileLength));
    }
    return out;
  }

  // ---- truncation, appended bytes, zeroed ranges

  @ParameterizedTest
  @EnumSource(Kind.class)
  void truncatedFilesAreRejectedAtOpen(Kind kind) throws Exception {
    Fixture f = FIXTURES.get(kind);
    Random rnd = new Random(Seeds.derive(SEED, "truncate", kind));
    long len = f.layout().fileLength;
    TreeSet<Long> cuts = new TreeSet<>(List.of(0L, 1L, 7L, 8L, 100L, 4091L, 4095L, 4096L, 4097L, len - 1, len - 4));
    for (Region r : Region.values()) {
      List<Extent> es = f.layout().of(r);
      for (int i = 0; i < Math.min(es.size(), 8); i++) {
        Extent e = es.get(rnd.nextInt(es.size()));
        cuts.add(e.offset());
        cuts.add(e.offset() + 1);
        cuts.add(Math.max(0, e.end() - 1));
      }
    }
    for (int i = 0; i < 40; i++) {
      cuts.add((long) (rnd.nextDouble() * len));
    }
    cuts.removeIf(c -> c >= len || c < 0);
    Report report = new Report(f.name() + " truncation");
    Path out = dir.resolve(f.name() + "-cut.hxz");
    for (long cut : cuts) {
      Damage.truncate(f.good(), out, cut);
      Outcome o = check(f, out, "truncated to " + cut + " bytes", report, false, true);
      if (!(o.openFailure instanceof CorruptSnapshotException)) {
        report.fail(Region.HEADER, "truncated to " + cut + ": expected CorruptSnapshotException at open, got "
            + o.openFailure);
      }
      report.count(Region.HEADER, o);
    }
    report.assertClean();
  }

  @ParameterizedTest
  @EnumSource(Kind.class)
  void bytesAppendedToAGoodFileAreRejectedAtOpen(Kind kind) throws Exception {
    Fixture f = FIXTURES.get(kind);
    for (int extra : new int[] {1, 4096}) {
      Path out = dir.resolve(f.name() + "-long.hxz");
      byte[] b = Files.readAllBytes(f.good());
      Files.write(out, Arrays.copyOf(b, b.length + extra));
      CorruptSnapshotException e = assertThrows(CorruptSnapshotException.class,
          () -> Hexz.open(out, ReadOptions.DEFAULTS).close());
      assertTrue(e.getMessage().contains(out.toString()), e.getMessage());
      assertFalse(Hexz.verify(out).ok());
    }
  }

  @ParameterizedTest
  @EnumSource(Kind.class)
  void zeroedRangesAreCaughtAndNeverYieldWrongBytes(Kind kind) throws Exception {
    Fixture f = FIXTURES.get(kind);
    Random rnd = new Random(Seeds.derive(SEED, "zero", kind));
    byte[] good = Files.readAllBytes(f.good());
    List<long[]> ranges = new ArrayList<>();
    List<Extent> payloads = new ArrayList<>();
    for (Extent e : f.layout().extents) {
      if (e.region().name().startsWith("PAYLOAD")) {
        payloads.add(e);
      } else {
        ranges.add(new long[] {e.offset(), e.length()}); // a whole header, page or metadata
      }
    }
    for (int i = 0; i < 15; i++) {
      Extent e = payloads.get(rnd.nextInt(payloads.size()));
      ranges.add(new long[] {e.offset(), e.length()}); // a whole payload
    }
    for (int i = 0; i < 60; i++) {
      long pos = (long) (rnd.nextDouble() * good.length);
      int len = rnd.nextBoolean() ? 1 + rnd.nextInt(16) : 1 + rnd.nextInt(8192);
      ranges.add(new long[] {pos, len});
    }
    Report report = new Report(f.name() + " zeroed ranges, " + Seeds.describe(SEED));
    Path out = dir.resolve(f.name() + "-zero.hxz");
    int changed = 0;
    for (long[] r : ranges) {
      int len = (int) Math.min(r[1], good.length - r[0]);
      if (TestData.isZero(good, (int) r[0], len)) {
        continue; // nothing changes (a zero field in the header, say)
      }
      changed++;
      Damage.zero(f.good(), out, r[0], len);
      Extent where = f.layout().at(r[0]);
      Outcome o = check(f, out, "zeroed [" + r[0] + ", +" + len + ") starting in " + where, report, false, true);
      report.count(where.region(), o);
    }
    assertTrue(changed > 40, "too few ranges changed anything: " + changed);
    report.assertClean();
  }

  // ---- header fields with a valid CRC

  /**
   * An edit of the header, re-CRC'd, what opening the result must do (null: open may succeed,
   * reads must then be right or fail) and whether verify must notice.
   */
  record Edit(String name, Consumer<ByteBuffer> edit, Class<? extends Exception> atOpen, boolean detectable) {
    Edit(String name, Consumer<ByteBuffer> edit, Class<? extends Exception> atOpen) {
      this(name, edit, atOpen, true);
    }
  }

  private static final int DISK = 128;
  private static final int MEMORY = 128 + 48;

  private static List<Edit> edits(Fixture f) {
    long len = f.layout().fileLength;
    Class<CorruptSnapshotException> corrupt = CorruptSnapshotException.class;
    Class<SnapshotFormatTooNewException> tooNew = SnapshotFormatTooNewException.class;
    List<Edit> e = new ArrayList<>();
    e.add(new Edit("major version 2", h -> h.putShort(8, (short) 2), tooNew));
    e.add(new Edit("major version 65535", h -> h.putShort(8, (short) -1), tooNew));
    e.add(new Edit("unknown incompat flag 0x2", h -> h.putInt(12, h.getInt(12) | 2), tooNew));
    e.add(new Edit("unknown incompat flag 0x80000000", h -> h.putInt(12, h.getInt(12) | 0x80000000), tooNew));
    e.add(new Edit("thin flag without a parent identity", h -> h.putInt(12, 1), corrupt));
    e.add(new Edit("parent identity without the thin flag", h -> h.put(80, (byte) 1), corrupt));
    e.add(new Edit("block shift 40", h -> h.put(20, (byte) 40), corrupt));
    e.add(new Edit("block shift 11", h -> h.put(20, (byte) 11), corrupt));
    e.add(new Edit("block shift 255", h -> h.put(20, (byte) 255), corrupt));
    e.add(new Edit("codec id 99", h -> h.put(21, (byte) 99), corrupt));
    e.add(new Edit("file length + 1", h -> h.putLong(24, len + 1), corrupt));
    e.add(new Edit("file length - 1", h -> h.putLong(24, len - 1), corrupt));
    e.add(new Edit("file length -1", h -> h.putLong(24, -1), corrupt));
    e.add(new Edit("metadata length 2^31-1", h -> h.putInt(40, Integer.MAX_VALUE), corrupt));
    e.add(new Edit("metadata length -1", h -> h.putInt(40, -1), corrupt));
    e.add(new Edit("metadata length 1 MiB", h -> h.putInt(40, 1 << 20), corrupt));
    e.add(new Edit("metadata length + 1", h -> h.putInt(40, h.getInt(40) + 1), corrupt));
    e.add(new Edit("metadata offset 2^63-1", h -> h.putLong(32, Long.MAX_VALUE), corrupt));
    e.add(new Edit("metadata offset -4096", h -> h.putLong(32, -4096), corrupt));
    e.add(new Edit("metadata offset 0 (the header)", h -> h.putLong(32, 0), corrupt));
    e.add(new Edit("metadata offset - 1", h -> h.putLong(32, h.getLong(32) - 1), corrupt));
    e.add(new Edit("metadata CRC + 1", h -> h.putInt(44, h.getInt(44) + 1), corrupt));
    e.add(new Edit("parent hint length 65535", h -> h.putShort(112, (short) -1), corrupt));
    e.add(new Edit("disk size 2^62", h -> h.putLong(DISK + 16, 1L << 62), corrupt));
    e.add(new Edit("disk size -1", h -> h.putLong(DISK + 16, -1), corrupt));
    e.add(new Edit("disk size Long.MIN_VALUE", h -> h.putLong(DISK + 16, Long.MIN_VALUE), corrupt));
    e.add(new Edit("disk size 2^60 with its index depth", h -> {
      h.putLong(DISK + 16, 1L << 60);
      h.put(DISK + 1, (byte) io.hexz.format.Format.indexDepth((1L << 60) >>> h.get(20)));
      h.putInt(DISK + 4, io.hexz.format.Format.pageSize(h.get(DISK + 1) - 1, 1));
    }, corrupt));
    e.add(new Edit("disk index depth 200", h -> h.put(DISK + 1, (byte) 200), corrupt));
    e.add(new Edit("disk index depth 0", h -> h.put(DISK + 1, (byte) 0), corrupt));
    e.add(new Edit("disk root length 2^31-1", h -> h.putInt(DISK + 4, Integer.MAX_VALUE), corrupt));
    e.add(new Edit("disk root length -16", h -> h.putInt(DISK + 4, -16), corrupt));
    e.add(new Edit("disk root length + 56", h -> h.putInt(DISK + 4, h.getInt(DISK + 4) + 56), corrupt));
    e.add(new Edit("disk root offset 2^63-1", h -> h.putLong(DISK + 8, Long.MAX_VALUE), corrupt));
    e.add(new Edit("disk root offset -1", h -> h.putLong(DISK + 8, -1), corrupt));
    e.add(new Edit("disk root offset 0 (the header)", h -> h.putLong(DISK + 8, 0), corrupt));
    e.add(new Edit("disk root offset + 1", h -> h.putLong(DISK + 8, h.getLong(DISK + 8) + 1), corrupt));
    e.add(new Edit("disk root offset = file length - root length + 1",
        h -> h.putLong(DISK + 8, len - h.getInt(DISK + 4) + 1), corrupt));
    e.add(new Edit("disk slot holds kind 2", h -> h.put(DISK, (byte) 2), corrupt));
    e.add(new Edit("no disk stream", h -> h.put(DISK, (byte) 0), corrupt));
    e.add(new Edit("disk slot kind 255", h -> h.put(DISK, (byte) 255), corrupt));
    e.add(new Edit("memory slot holds kind 1", h -> h.put(MEMORY, (byte) 1), corrupt));
    if (f.memory() != null) {
      e.add(new Edit("disk root points at the memory root", h -> {
        h.putLong(DISK + 8, h.getLong(MEMORY + 8));
        h.putInt(DISK + 4, h.getInt(MEMORY + 4));
      }, null));
      e.add(new Edit("memory size 2^61", h -> h.putLong(MEMORY + 16, 1L << 61), corrupt));
    }
    // Accepted at open; the damage must surface when the blocks are read and verified.
    e.add(new Edit("disk size - 1", h -> h.putLong(DISK + 16, h.getLong(DISK + 16) - 1), null));
    e.add(new Edit("disk size + 1", h -> h.putLong(DISK + 16, h.getLong(DISK + 16) + 1), null));
    e.add(new Edit("disk size - block size", h -> h.putLong(DISK + 16, h.getLong(DISK + 16) - f.blockSize()), null));
    e.add(new Edit("identity byte 0 + 1", h -> h.put(48, (byte) (h.get(48) + 1)), null));
    e.add(new Edit("block shift + 1", h -> h.put(20, (byte) (h.get(20) + 1)), null));
    // Informational fields: each block's kind names its codec, so these change no decoding.
    // The header CRC protects them; with a valid CRC they are legitimately different files.
    e.add(new Edit("header codec changed", h -> h.put(21, (byte) ((h.get(21) + 1) % 3)), null, false));
    e.add(new Edit("header level changed", h -> h.put(22, (byte) (h.get(22) + 5)), null, false));
    e.add(new Edit("disk storedBytes -1", h -> h.putLong(DISK + 24, -1), null, false));
    return e;
  }

  @ParameterizedTest
  @EnumSource(Kind.class)
  void absurdHeaderFieldsWithAValidCrcAreRejected(Kind kind) throws Exception {
    Fixture f = FIXTURES.get(kind);
    Report report = new Report(f.name() + " header edits");
    Path out = dir.resolve(f.name() + "-edit.hxz");
    for (Edit e : edits(f)) {
      Damage.editHeader(f.good(), out, e.edit());
      if (Files.mismatch(out, f.good()) < 0) {
        continue;
      }
      Outcome o = check(f, out, e.name(), report, false, e.detectable());
      if (e.atOpen() != null && (o.openFailure == null || o.openFailure.getClass() != e.atOpen())) {
        report.fail(Region.HEADER, e.name() + ": expected " + e.atOpen().getSimpleName() + " at open, got "
            + (o.openFailure == null ? "a successful open" : o.openFailure.toString()));
      }
      report.count(Region.HEADER, o);
    }
    report.assertClean();
  }

  @Test
  void aNewerFormatIsDamageWhenTheCrcDisagrees() throws Exception {
    Fixture f = FIXTURES.get(Kind.NONE);
    Path out = dir.resolve("newer-bad-crc.hxz");
    byte[] b = Files.readAllBytes(f.good());
    b[8] = 2; // major version 2, CRC left stale: a flipped bit, not a future version
    Files.write(out, b);
    CorruptSnapshotException e = assertThrows(CorruptSnapshotException.class, () -> Hexz.open(out,
        ReadOptions.DEFAULTS));
    assertTrue(e.getMessage().contains("checksum"), e.getMessage());
    Damage.recrcHeader(b);
    Files.write(out, b);
    SnapshotFormatTooNewException n = assertThrows(SnapshotFormatTooNewException.class, () -> Hexz.open(out,
        ReadOptions.DEFAULTS));
    assertTrue(n.getMessage().startsWith(out.toString()), n.getMessage());
  }

  @Test
  void badMagicIsNotASnapshot() throws Exception {
    Fixture f = FIXTURES.get(Kind.NONE);
    for (int i = 0; i < 8; i++) {
      Path out = dir.resolve("magic" + i + ".hxz");
      byte[] b = Files.readAllBytes(f.good());
      b[i] ^= 0x20;
      Damage.recrcHeader(b); // even with a valid CRC
      Files.write(out, b);
      CorruptSnapshotException e = assertThrows(CorruptSnapshotException.class, () -> Hexz.open(out,
          ReadOptions.DEFAULTS));
      assertTrue(e.getMessage().contains("not a hexz snapshot"), e.getMessage());
      assertTrue(e.getMessage().startsWith(out.toString()), e.getMessage());
    }
    Path text = Files.writeString(dir.resolve("text.hxz"), "hello\n".repeat(2000));
    assertThrows(CorruptSnapshotException.class, () -> Hexz.open(text, ReadOptions.DEFAULTS));
    Path empty = Files.write(dir.resolve("empty.hxz"), new byte[0]);
    assertThrows(CorruptSnapshotException.class, () -> Hexz.open(empty, ReadOptions.DEFAULTS));
    assertFalse(Hexz.verify(empty).ok());
  }

  // ---- the property, checked for one damaged file

  /** What happened to one damaged file. */
  static final class Outcome {
    Exception openFailure;
    int failedReads;
    boolean verifyOk;
  }

  /**
   * Opens, reads every stream block by block and whole, verifies and analyzes {@code damaged};
   * records violations of the property in {@code report}.
   *
   * @param mustDetect whether verify must report the damage (false only where a change can
   *     leave the decoded content intact and no checksum covers the stored bytes)
   */
  private static Outcome check(Fixture f, Path damaged, String what, Report report, boolean prefetch,
      boolean mustDetect) {
    Outcome o = new Outcome();
    assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
      ReadOptions ro = prefetch ? ReadOptions.DEFAULTS : ReadOptions.DEFAULTS.withPrefetch(false);
      Snapshot s = null;
      try {
        s = Hexz.open(damaged, ro);
      } catch (SnapshotException e) {
        o.openFailure = e;
        if (!e.getMessage().contains(damaged.toString())) {
          report.fail(null, what + ": the error does not name the file: " + e.getMessage());
        }
      } catch (Throwable t) {
        report.fail(null, what + ": open threw " + t + " instead of a SnapshotException");
        return;
      }
      if (s != null) {
        try (Snapshot snap = s) {
          o.failedReads += readStream(snap, StreamKind.DISK, f.disk(), f.blockSize(), what, report);
          if (f.memory() != null) {
            o.failedReads += readStream(snap, StreamKind.MEMORY, f.memory(), f.blockSize(), what, report);
          }
        }
      }
      try {
        VerifyReport v = Hexz.verify(damaged);
        o.verifyOk = v.ok();
        if (v.ok() && mustDetect) {
          report.fail(null, what + ": verify reports the damaged file as OK");
        } else if (v.ok()) {
          report.note(what + ": verify reports OK (reads returned the right bytes)");
        }
      } catch (Throwable t) {
        report.fail(null, what + ": verify threw " + t + " instead of reporting");
      }
      try {
        Hexz.analyze(damaged);
      } catch (IOException expected) {
        // damage found while counting
      } catch (Throwable t) {
        report.fail(null, what + ": analyze threw " + t);
      }
    }, () -> what + ": hung");
    return o;
  }

  /** Reads a stream block by block, then in one piece; returns the number of failed reads. */
  private static int readStream(Snapshot s, StreamKind kind, byte[] expected, int bs, String what, Report report) {
    BlockDevice dev = s.stream(kind).orElse(null);
    if (dev == null) {
      report.fail(null, what + ": the " + kind + " stream disappeared but open succeeded");
      return 0;
    }
    int failed = 0;
    long size = dev.size();
    for (long off = 0; off < size; off += bs) {
      int len = (int) Math.min(bs, size - off);
      if (!readOnce(dev, off, len, expected, what, report, kind)) {
        failed++;
      }
    }
    if (size > 0 && size <= Integer.MAX_VALUE) {
      readOnce(dev, 0, (int) size, expected, what, report, kind);
    }
    return failed;
  }

  /** One read: true if it returned the right bytes, false if it threw an IOException. */
  private static boolean readOnce(BlockDevice dev, long off, int len, byte[] expected, String what, Report report,
      StreamKind kind) {
    byte[] got = new byte[len];
    int n;
    try {
      n = dev.read(ByteBuffer.wrap(got), off);
    } catch (IOException e) {
      return false;
    } catch (Throwable t) {
      report.fail(null, what + ": reading " + kind + " at " + off + " threw " + t + " instead of an IOException");
      return false;
    }
    if (n != len) {
      report.fail(null, what + ": reading " + len + " " + kind + " bytes at " + off + " returned " + n);
      return false;
    }
    if (off + len > expected.length || !Arrays.equals(expected, (int) off, (int) off + len, got, 0, len)) {
      report.fail(null, what + ": WRONG BYTES from " + kind + " at " + off + " (" + len + " bytes)");
      return false;
    }
    return true;
  }

  /** Collects violations so one run shows all of them, with counts per structure. */
  static final class Report {
    private final String title;
    private final List<String> failures = new ArrayList<>();
    private final Map<String, int[]> counts = new LinkedHashMap<>(); // region -> {cases, openFailed, readFailed}

    Report(String title) {
      this.title = title;
    }

    private final List<String> notes = new ArrayList<>();

    synchronized void fail(Region r, String what) {
      failures.add(what);
    }

    /** Something allowed but worth seeing in the log. */
    synchronized void note(String what) {
      notes.add(what);
    }

    synchronized void count(Region r, Outcome o) {
      int[] c = counts.computeIfAbsent(String.valueOf(r), k -> new int[3]);
      c[0]++;
      c[1] += o.openFailure != null ? 1 : 0;
      c[2] += o.failedReads > 0 ? 1 : 0;
    }

    void assertClean() {
      StringBuilder sb = new StringBuilder();
      counts.forEach((k, c) -> sb.append(String.format("%n  %-14s %4d cases, %4d failed at open, %4d failed a read",
          k, c[0], c[1], c[2])));
      notes.stream().limit(10).forEach(n -> sb.append("\n  note: ").append(n));
      System.out.println("[hexz] " + title + ":" + sb);
      if (!failures.isEmpty()) {
        StringBuilder f = new StringBuilder(title + ": " + failures.size() + " violations" + sb);
        failures.stream().limit(25).forEach(x -> f.append("\n  ").append(x));
        throw new AssertionError(f.toString());
      }
    }
  }
}
