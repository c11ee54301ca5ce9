package io.hexz.write;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.hexz.Hexz;
import io.hexz.codec.CodecType;
import io.hexz.format.StreamKind;
import io.hexz.read.ReadOptions;
import io.hexz.read.Snapshot;
import io.hexz.testing.Seeds;
import io.hexz.testing.Snaps;
import io.hexz.testing.TestData;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A snapshot appears at its destination completely or not at all: an abandoned or failed writer
 * leaves no file and no temporary file behind, and finish() replaces an existing file in one
 * rename (readers see the old or the new snapshot, never a mixture).
 */
class AtomicityTest {
  private static final long SEED = Seeds.random(AtomicityTest.class);

  @TempDir
  Path dir;

  private List<String> listing() throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      List<String> names = new ArrayList<>();
      s.forEach(p -> names.add(p.getFileName().toString()));
      return names;
    }
  }

  private static WriteOptions options() {
    return Snaps.options(4096, CodecType.LZ4, 0, true).threads(3).build();
  }

  @Test
  void closeWithoutFinishLeavesNothing() throws Exception {
    Path target = dir.resolve("abandoned.hxz");
    byte[] data = TestData.mixed(3_000_000, 4096, new Random(SEED));
    try (SnapshotWriter w = Writers.create(target, options())) {
      w.addBytes(StreamKind.DISK, data);
      assertEquals(1, listing().size(), "the writer works in one temporary file: " + listing());
      assertFalse(Files.exists(target), "nothing may appear before finish()");
    }
    assertEquals(List.of(), listing());
    assertNoCompressionThreadsLeft();
  }

  @Test
  void closeWithAStreamStillOpenLeavesNothing() throws Exception {
    Path target = dir.resolve("open-stream.hxz");
    SnapshotWriter w = Writers.create(target, options());
    SnapshotWriter.StreamSink sink = w.beginStream(StreamKind.DISK);
    sink.write(ByteBuffer.wrap(TestData.mixed(1_000_000, 4096, new Random(SEED))));
    w.close();
    w.close(); // idempotent
    assertEquals(List.of(), listing());
    assertThrows(IllegalStateException.class, () -> sink.write(ByteBuffer.allocate(1)));
    assertThrows(IllegalStateException.class, w::finish);
  }

  @Test
  void anInputThatFailsMidwayLeavesNothing() throws Exception {
    Path target = dir.resolve("failed.hxz");
    byte[] data = TestData.mixed(8 << 20, 4096, new Random(SEED));
    IOException thrown = assertThrows(IOException.class, () -> {
      try (SnapshotWriter w = Writers.create(target, options())) {
        w.addStream(StreamKind.DISK, new FailingInputStream(data, 5 << 20));
        w.finish();
      }
    });
    assertEquals("disk went away", thrown.getMessage());
    assertEquals(List.of(), listing());
    assertNoCompressionThreadsLeft();
  }

  @Test
  void anUncheckedFailureMidwayLeavesNothing() {
    Path target = dir.resolve("failed2.hxz");
    byte[] data = TestData.mixed(4 << 20, 4096, new Random(SEED));
    assertThrows(UncheckedIOException.class, () -> {
      try (SnapshotWriter w = Writers.create(target, options())) {
        w.addBytes(StreamKind.MEMORY, data);
        try (SnapshotWriter.StreamSink sink = w.beginStream(StreamKind.DISK)) {
          sink.write(ByteBuffer.wrap(data, 0, 3 << 20));
          throw new UncheckedIOException(new IOException("producer crashed"));
        }
      }
    });
    assertTrue(assertDoesNotThrowListing().isEmpty());
  }

  private List<String> assertDoesNotThrowListing() {
    try {
      return listing();
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void aMissingDirectoryFailsAtCreateAndLeavesNothing() {
    Path target = dir.resolve("no/such/dir/x.hxz");
    assertThrows(NoSuchFileException.class, () -> Writers.create(target, options()));
    assertFalse(Files.exists(dir.resolve("no")));
  }

  @Test
  void finishReplacesAnExistingFileAtomically() throws Exception {
    Random rnd = new Random(Seeds.derive(SEED, "replace"));
    Path target = dir.resolve("snap.hxz");
    byte[] oldData = TestData.mixed(2_000_000, 4096, rnd);
    byte[] newData = TestData.mixed(6_000_000, 4096, rnd);
    Snaps.write(target, options(), oldData);
    byte[] oldId = Hexz.inspect(target).header().identity();
    byte[] newId = TestData.identity(4096, newData);

    AtomicBoolean stop = new AtomicBoolean();
    AtomicReference<Throwable> readerFailure = new AtomicReference<>();
    AtomicInteger sawOld = new AtomicInteger();
    AtomicInteger sawNew = new AtomicInteger();
    // Readers keep opening the target while it is replaced: each must see one complete snapshot.
    Thread reader = new Thread(() -> {
      while (!stop.get() && readerFailure.get() == null) {
        try (Snapshot s = Hexz.open(target, ReadOptions.UNCACHED)) {
          byte[] id = s.header().identity();
          byte[] expect = Arrays.equals(id, oldId) ? oldData : Arrays.equals(id, newId) ? newData : null;
          if (expect == null) {
            throw new AssertionError("an identity that is neither the old nor the new snapshot's");
          }
          (expect == oldData ? sawOld : sawNew).incrementAndGet();
          int len = Math.min(100_000, expect.length);
          byte[] got = new byte[len];
          s.read(ByteBuffer.wrap(got), expect.length - len);
          if (!Arrays.equals(expect, expect.length - len, expect.length, got, 0, len)) {
            throw new AssertionError("the tail does not belong to the snapshot its header names");
          }
        } catch (Throwable t) {
          readerFailure.set(t);
        }
      }
    }, "atomicity-reader");

    try (Snapshot before = Hexz.open(target, ReadOptions.DEFAULTS)) {
      reader.start();
      awaitPositive(sawOld, readerFailure, "the reader never saw the old snapshot");
      try (SnapshotWriter w = Writers.create(target, options())) {
        w.addBytes(StreamKind.DISK, newData);
        assertArrayEquals(oldId, Hexz.inspect(target).header().identity(), "replaced before finish()");
        w.finish();
      }
      awaitPositive(sawNew, readerFailure, "the reader never saw the new snapshot");
      stop.set(true);
      assertTimeoutPreemptively(Duration.ofSeconds(30), () -> reader.join());
      if (readerFailure.get() != null) {
        throw new AssertionError("a reader saw a partial snapshot", readerFailure.get());
      }
      // A snapshot opened before the replacement still reads the old content (the rename kept its inode).
      assertArrayEquals(oldData, Snaps.readAll(before, 65536));
    }
    assertArrayEquals(newId, Hexz.inspect(target).header().identity());
    try (Snapshot after = Hexz.open(target, ReadOptions.DEFAULTS)) {
      assertArrayEquals(newData, Snaps.readAll(after, 65536));
    }
    assertEquals(List.of("snap.hxz"), listing());
  }

  private static void awaitPositive(AtomicInteger n, AtomicReference<Throwable> failure, String what)
      throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (n.get() == 0 && failure.get() == null) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError(what);
      }
      Thread.sleep(1);
    }
    if (failure.get() != null) {
      throw new AssertionError("a reader saw a partial snapshot", failure.get());
    }
  }

  @Test
  void finishedFileHasTheModeTheUmaskGives() throws Exception {
    Path target = dir.resolve("perm.hxz");
    Snaps.write(target, options(), new byte[10]);
    // Not Files.getFileStore: it looks the path up in the mount table, which a chroot (the
    // fresh-machine test) does not have ("Mount point not found").
    assumeTrue(Files.getFileAttributeView(target, java.nio.file.attribute.PosixFileAttributeView.class) != null,
        "not a POSIX file system: it has no mode to check");
    String perms = java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(target));
    assertEquals(java.nio.file.attribute.PosixFilePermissions.toString(FileModes.fromBits(0666 & ~FileModes.umask())),
        perms);
  }

  @Test
  void finishTwiceIsRefusedAndKeepsTheFile() throws Exception {
    Path target = dir.resolve("twice.hxz");
    SnapshotWriter w = Writers.create(target, options());
    w.addBytes(StreamKind.DISK, new byte[] {1, 2, 3});
    assertEquals(target.toAbsolutePath(), w.finish());
    assertThrows(IllegalStateException.class, w::finish);
    w.close();
    assertEquals(List.of("twice.hxz"), listing());
    assertTrue(Hexz.verify(target).ok());
  }

  /** No writer pool outlives its writer (checked after close; threads may take a moment to end). */
  private static void assertNoCompressionThreadsLeft() throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (true) {
      List<String> alive = new ArrayList<>();
      for (Thread t : Thread.getAllStackTraces().keySet()) {
        if (t.isAlive() && t.getName().startsWith("hexz-compress")) {
          alive.add(t.getName());
        }
      }
      if (alive.isEmpty()) {
        return;
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("compression threads still running after close(): " + alive);
      }
      Thread.sleep(20);
    }
  }

  /** Yields {@code data} but fails once {@code failAt} bytes have been read. */
  static final class FailingInputStream extends InputStream {
    private final byte[] data;
    private final int failAt;
    private int pos;

    FailingInputStream(byte[] data, int failAt) {
      this.data = data;
      this.failAt = failAt;
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (pos >= failAt) {
        throw new IOException("disk went away");
      }
      int n = Math.min(Math.min(len, failAt - pos), data.length - pos);
      if (n <= 0) {
        return -1;
      }
      System.arraycopy(data, pos, b, off, n);
      pos += n;
      return n;
    }
  }
}
