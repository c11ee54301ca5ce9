package io.hexz;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hexz.format.BootTrace;
import io.hexz.format.CorruptSnapshotException;
import io.hexz.format.PrefetchPlan;
import io.hexz.format.StreamKind;
import io.hexz.read.PlanPrefetch;
import io.hexz.read.ReadOptions;
import io.hexz.read.Snapshot;
import io.hexz.read.Snapshots;
import io.hexz.read.TraceRecorder;
import io.hexz.testing.Secrets;
import io.hexz.testing.Seeds;
import io.hexz.testing.Snaps;
import io.hexz.testing.TestData;
import io.hexz.write.Profile;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Boot traces and prefetch plans: the trace and plan encodings (round trips, damage refused), a
 * mount's recorder noting first reads in order, a build that lays the traced blocks out first as
 * one contiguous range and keeps them as the plan (also encrypted: the plan is not in clear), the
 * plan carried by flatten and inherited by a thin commit, and the prefetcher loading it.
 */
class BootPlanTest {
  private static final long SEED = Seeds.random(BootPlanTest.class);
  private static final int BS = 64 << 10;

  @TempDir
  Path dir;

  private static BootTrace trace(long... blocks) {
    List<BootTrace.Entry> e = new ArrayList<>();
    for (int i = 0; i < blocks.length; i++) {
      e.add(new BootTrace.Entry(StreamKind.DISK, blocks[i], i * 10));
    }
    return new BootTrace(BS, new byte[32], e);
  }

  @Test
  void traceAndPlanEncodingsRoundTripAndRefuseDamage() throws Exception {
    Random rnd = new Random(SEED);
    List<BootTrace.Entry> e = new ArrayList<>();
    StreamKind[] kinds = new StreamKind[5000];
    long[] blocks = new long[5000];
    for (int i = 0; i < 5000; i++) {
      kinds[i] = rnd.nextInt(10) == 0 ? StreamKind.MEMORY : StreamKind.DISK;
      blocks[i] = rnd.nextInt(3) == 0 ? rnd.nextLong() >>> 3 : rnd.nextInt(100000);
      e.add(new BootTrace.Entry(kinds[i], blocks[i] >>> 20, i));
    }
    BootTrace t = new BootTrace(4096, TestData.random(32, rnd), e);
    byte[] bytes = t.encode();
    BootTrace back = BootTrace.decode("t", bytes);
    assertEquals(t.entries(), back.entries(), Seeds.describe(SEED));
    assertArrayEquals(t.identity(), back.identity());
    for (int at : new int[] {0, 9, 13, 50, 60, bytes.length - 1}) {
      byte[] bad = bytes.clone();
      bad[at] ^= 4;
      assertThrows(CorruptSnapshotException.class, () -> BootTrace.decode("t", bad), "flipped byte " + at);
    }
    assertThrows(CorruptSnapshotException.class,
        () -> BootTrace.decode("t", java.util.Arrays.copyOf(bytes, bytes.length - 16)));

    PrefetchPlan p = PrefetchPlan.of(kinds, blocks);
    String text = p.encode();
    PrefetchPlan q = PrefetchPlan.decode("p", text);
    assertEquals(p, q);
    assertEquals(StreamKind.MEMORY, q.stream(java.util.stream.IntStream.range(0, 5000)
        .filter(i -> kinds[i] == StreamKind.MEMORY).findFirst().orElseThrow()));
    byte[] raw = java.util.Base64.getDecoder().decode(text);
    assertThrows(CorruptSnapshotException.class, () -> PrefetchPlan.decode("p",
        java.util.Base64.getEncoder().encodeToString(java.util.Arrays.copyOf(raw, raw.length - 1))));
    assertThrows(CorruptSnapshotException.class, () -> PrefetchPlan.decode("p", "!!"));
    raw[0] = 2;
    assertThrows(CorruptSnapshotException.class, () -> PrefetchPlan.decode("p",
        java.util.Base64.getEncoder().encodeToString(raw)));
    assertThrows(IllegalArgumentException.class, () -> PrefetchPlan.of(new StreamKind[PrefetchPlan.MAX_ENTRIES + 1],
        new long[PrefetchPlan.MAX_ENTRIES + 1]));
  }

  @Test
  void aRecorderNotesEachBlockOnceAtItsFirstReadInOrder() throws IOException {
    Path img = dir.resolve("img");
    Files.write(img, TestData.mixed(40 * BS + 100, BS, new Random(SEED)));
    Path snap = dir.resolve("a.hxz");
    Hexz.build(img, snap, Profile.GENERIC, b -> b, null);
    Path file = dir.resolve("trace");
    try (Snapshot s = Hexz.open(snap, ReadOptions.DEFAULTS)) {
      TraceRecorder rec = new TraceRecorder(file, s);
      var d = rec.wrap(s.disk(), StreamKind.DISK);
      d.read(ByteBuffer.allocate(100), 30L * BS + 5); // block 30
      d.read(ByteBuffer.allocate(2 * BS), 2L * BS - 1); // blocks 1, 2, 3
      d.read(ByteBuffer.allocate(10), 30L * BS); // 30 again: not noted
      d.read(ByteBuffer.allocate(10), 40L * BS); // the short last block
      rec.close();
    }
    BootTrace t = BootTrace.decode(file.toString(), Files.readAllBytes(file));
    assertEquals(List.of(30L, 1L, 2L, 3L, 40L), t.entries().stream().map(BootTrace.Entry::block).toList());
    assertEquals(BS, t.blockSize());
    assertFalse(Files.exists(dir.resolve(".trace.tmp")));
  }

  @Test
  void aBuildLaysTheTraceOutFirstAndKeepsItAsThePlanEverywhere() throws Exception {
    byte[] content = TestData.mixed(300 * BS + 777, BS, new Random(SEED));
    Path img = dir.resolve("img");
    Files.write(img, content);
    // 4 KiB trace blocks: 16 of them per 64 KiB block; blocks 250, 3, 3 again (deduplicated), 120..121, and one past the end.
    BootTrace t = new BootTrace(4096, new byte[32], List.of(new BootTrace.Entry(StreamKind.DISK, 250 * 16 + 3, 0),
        new BootTrace.Entry(StreamKind.DISK, 3 * 16, 1), new BootTrace.Entry(StreamKind.DISK, 3 * 16 + 15, 2),
        new BootTrace.Entry(StreamKind.DISK, 120 * 16 + 15, 3), new BootTrace.Entry(StreamKind.DISK, 121 * 16, 4),
        new BootTrace.Entry(StreamKind.DISK, 1L << 30, 5)));
    Path snap = dir.resolve("b.hxz");
    Hexz.build(img, snap, Profile.GENERIC, b -> b.bootTrace(t), null);
    Path enc = dir.resolve("enc.hxz");
    Hexz.build(img, enc, Profile.GENERIC, b -> Secrets.encrypt(b, "pw").bootTrace(t), null);
    ReadOptions encRo = Secrets.read(ReadOptions.DEFAULTS, "pw");
    for (Path p : new Path[] {snap, enc}) {
      ReadOptions ro = p == enc ? encRo : ReadOptions.DEFAULTS;
      try (Snapshot s = Hexz.open(p, ro)) {
        PrefetchPlan plan = Snapshots.prefetchPlan(s).orElseThrow();
        assertEquals(List.of(250L, 3L, 120L, 121L), java.util.stream.IntStream.range(0, plan.size())
            .mapToObj(plan::block).toList(), p.toString());
        PlanPrefetch.Summary sum = PlanPrefetch.summarize(s).orElseThrow();
        assertEquals(4, sum.blocks());
        assertEquals(4096, sum.firstOffset(), "the plan's blocks come first in the file");
        assertEquals(sum.storedBytes(), sum.endOffset() - sum.firstOffset(), "and are contiguous: " + sum);
        assertArrayEquals(content, Snaps.readAll(s.disk(), 1 << 20));
      }
      assertTrue(Hexz.verify(p.toString(), ro).ok(), p + " verifies");
    }
    String planText;
    try (Snapshot s = Hexz.open(snap, ReadOptions.DEFAULTS)) {
      planText = s.metadata().prefetchPlan();
    }
    assertFalse(new String(Files.readAllBytes(enc), StandardCharsets.ISO_8859_1).contains(planText),
        "an encrypted snapshot's plan is encrypted with its metadata");

    // flatten keeps the plan (laid out first again); a thin child without its own inherits it.
    Path flat = dir.resolve("flat.hxz");
    Hexz.flatten(snap, flat, b -> b, ReadOptions.DEFAULTS);
    try (Snapshot s = Hexz.open(flat, ReadOptions.DEFAULTS)) {
      assertEquals(4096, PlanPrefetch.summarize(s).orElseThrow().firstOffset());
    }
    Path thin = dir.resolve("thin.hxz");
    try (io.hexz.write.SnapshotWriter w = Hexz.create(thin, io.hexz.write.WriteOptions.builder().blockSize(BS)
        .parent(snap).build())) {
      byte[] changed = content.clone();
      changed[7 * BS] ^= 1; // a different snapshot, sharing all but one block with its parent
      w.addBytes(StreamKind.DISK, changed);
      w.finish();
    }
    try (Snapshot s = Hexz.open(thin, ReadOptions.DEFAULTS)) {
      assertEquals(4, Snapshots.prefetchPlan(s).orElseThrow().size(), "inherited from the parent");
      PlanPrefetch p = PlanPrefetch.start(s, 2).orElseThrow();
      assertTrue(p.await(30_000));
      assertEquals(4, p.loaded());
      p.close();
    }
  }
}
