package io.hexz.testing;

import io.hexz.Hexz;
import io.hexz.codec.CodecType;
import io.hexz.format.StreamKind;
import io.hexz.write.SnapshotWriter;
import io.hexz.write.WriteOptions;
import io.hexz.write.WriteStats;
import io.hexz.write.Writers;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Instant;

/** Writes test snapshots through the public API. Stateless. */
public final class Snaps {
  private Snaps() {}

  /** A fixed creation time, so files written by tests are reproducible. */
  public static final Instant CREATED = Instant.parse("2024-05-01T12:00:00Z");

  /** Options with a fixed creation time and two threads. */
  public static WriteOptions.Builder options(int blockSize, CodecType codec, int level, boolean dedup) {
    return WriteOptions.builder().blockSize(blockSize).codec(codec).level(level).dedup(dedup).threads(2)
        .created(CREATED);
  }

  /** Writes {@code disk} (and {@code memory} unless null; first when {@code memoryFirst}). */
  public static WriteStats write(Path file, WriteOptions options, byte[] disk, byte[] memory, boolean memoryFirst)
      throws IOException {
    try (SnapshotWriter w = Hexz.create(file, options)) {
      if (memory != null && memoryFirst) {
        w.addBytes(StreamKind.MEMORY, memory);
      }
      w.addBytes(StreamKind.DISK, disk);
      if (memory != null && !memoryFirst) {
        w.addBytes(StreamKind.MEMORY, memory);
      }
      w.finish();
      return Writers.stats(w);
    }
  }

  public static WriteStats write(Path file, WriteOptions options, byte[] disk) throws IOException {
    return write(file, options, disk, null, false);
  }

  /** Reads all of {@code dev} with positional reads of {@code chunk} bytes. */
  public static byte[] readAll(io.hexz.read.BlockDevice dev, int chunk) throws IOException {
    long size = dev.size();
    if (size > Integer.MAX_VALUE - 16) {
      throw new IllegalArgumentException("too big for a test: " + size);
    }
    byte[] out = new byte[(int) size];
    long pos = 0;
    while (pos < size) {
      int n = dev.read(ByteBuffer.wrap(out, (int) pos, (int) Math.min(chunk, size - pos)), pos);
      if (n <= 0) {
        throw new AssertionError("read at " + pos + " of " + size + " returned " + n);
      }
      pos += n;
    }
    return out;
  }
}
