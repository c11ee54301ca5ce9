package io.hexz.write;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hexz.codec.CodecType;
import io.hexz.format.StreamKind;
import io.hexz.testing.FaultyChannel;
import io.hexz.testing.Seeds;
import io.hexz.testing.Snaps;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Any I/O error while a snapshot is written fails the writer and leaves the file it would
 * replace untouched, with no temporary file behind: a background writeback (fsync) that fails,
 * a write that fails part way (injected, and a real ENOSPC on a small tmpfs), and an output that
 * cannot be opened.
 */
class WriteFailureTest {
  private static final long SEED = Seeds.random(WriteFailureTest.class);

  @TempDir
  Path dir;

  private Path target;
  private byte[] old;

  @BeforeEach
  void goodOldSnapshot() throws IOException {
    target = dir.resolve("snap.hxz");
    Snaps.write(target, options(), new byte[100_000]);
    old = Files.readAllBytes(target);
  }

  private static WriteOptions options() {
    return Snaps.options(4096, CodecType.NONE, 0, false).build();
  }

  private static byte[] random(int n) {
    byte[] b = new byte[n];
    new Random(SEED).nextBytes(b);
    return b;
  }

  private List<String> listing(Path d) throws IOException {
    try (Stream<Path> s = Files.list(d)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  private void assertOldFileIntact(Path d) throws IOException {
    assertArrayEquals(old, Files.readAllBytes(d.resolve("snap.hxz")), "the old snapshot must stay in place");
    assertEquals(List.of("snap.hxz"), listing(d), "no temporary file may be left");
  }

  private SnapshotWriterImpl faulty(boolean failForce, long writeLimit) throws IOException {
    return new SnapshotWriterImpl(target, options(),
        t -> new FaultyChannel(FileChannel.open(t, StandardOpenOption.WRITE, StandardOpenOption.READ), failForce,
            writeLimit), 1 << 20);
  }

  @Test
  void aFailedBackgroundWritebackFailsTheBuild() throws IOException {
    // The first fsync (the background one after 1 MiB) fails, the final one succeeds: as Linux
    // reports a writeback error once per open file.
    IOException e = assertThrows(IOException.class, () -> {
      try (SnapshotWriter w = faulty(true, Long.MAX_VALUE)) {
        w.addBytes(StreamKind.DISK, random(4 << 20));
        w.finish();
      }
    });
    assertTrue(e.getMessage().contains("Input/output error (injected)") && e.getMessage().contains(target.toString()),
        e.getMessage());
    assertOldFileIntact(dir);
  }

  @Test
  void aFailedWriteFailsTheBuildAndStaysFailed() throws IOException {
    SnapshotWriter w = faulty(false, 2 << 20);
    SnapshotWriter.StreamSink sink = w.beginStream(StreamKind.DISK);
    IOException e = assertThrows(IOException.class, () -> {
      sink.write(java.nio.ByteBuffer.wrap(random(4 << 20)));
      sink.close();
    });
    assertTrue(e.getMessage().contains("No space left on device"), e.getMessage());
    // A caller that carries on anyway cannot finish a snapshot with a hole in it.
    assertThrows(IOException.class, w::finish);
    w.close();
    assertOldFileIntact(dir);
  }

  @Test
  void anOutputThatCannotBeOpenedLeavesNoTemporaryFile() throws IOException {
    IOException e = assertThrows(IOException.class, () -> new SnapshotWriterImpl(target, options(), t -> {
      throw new IOException(t + ": Too many open files (injected)");
    }, 1 << 20));
    assertTrue(e.getMessage().contains("Too many open files"), e.getMessage());
    assertOldFileIntact(dir);
  }

  @Test
  void aRealFullFileSystemFailsTheBuild() throws Exception {
    org.junit.jupiter.api.Assumptions.assumeTrue("root".equals(System.getProperty("user.name")),
        "mounting a tmpfs needs root");
    Path small = Files.createDirectory(dir.resolve("small"));
    run("mount", "-t", "tmpfs", "-o", "size=3m", "hexz-test-full", small.toString());
    try {
      Files.write(small.resolve("snap.hxz"), old);
      IOException e = assertThrows(IOException.class,
          () -> Snaps.write(small.resolve("snap.hxz"), options(), random(6 << 20)));
      assertTrue(e.getMessage().contains("No space left on device"), e.getMessage());
      assertOldFileIntact(small);
    } finally {
      run("umount", small.toString());
    }
  }

  private static void run(String... cmd) throws Exception {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    assertEquals(0, p.waitFor(), String.join(" ", cmd) + ": " + out);
  }
}
