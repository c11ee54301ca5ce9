package io.hexz.overlay;

import static io.hexz.overlay.Overlay.PAGE_SIZE;
import static io.hexz.overlay.OverlayFile.HEADER_SIZE;
import static io.hexz.overlay.OverlayFile.MAX_SIZE;

import io.hexz.format.Checksums;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;

/**
 * The overlay file's header (4096 bytes; the grammar is in {@link OverlayFile}): written when an
 * overlay is created or a compaction rewrites it, and checked on open (magic, CRC, major version,
 * page size, bounds of the sizes) before any field of it is trusted.
 */
record OverlayHeader(long size, long baseSize, byte[] baseIdentity, int minor) {
  static final byte[] MAGIC = {'H', 'X', 'Z', 'O', 'V', 'L', '\r', '\n'};
  /** Header minor version written: 1 may hold zero records, 2 has baseSize (a resized disk). */
  static final short MINOR = 2;

  static OverlayHeader read(Path file) throws IOException {
    try (FileChannel c = FileChannel.open(file, StandardOpenOption.READ)) {
      return parse(file.toString(), c);
    }
  }

  static void write(FileChannel c, long size, long baseSize, byte[] baseIdentity) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(HEADER_SIZE).order(ByteOrder.LITTLE_ENDIAN);
    b.put(MAGIC).putShort((short) 1).putShort(MINOR).putInt(PAGE_SIZE).putLong(size).put(baseIdentity)
        .putLong(baseSize);
    b.putInt(HEADER_SIZE - 4, Checksums.crc32c(b.array(), 0, HEADER_SIZE - 4));
    b.clear();
    while (b.hasRemaining()) {
      c.write(b, b.position());
    }
  }

  static OverlayHeader parse(String name, FileChannel c) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(HEADER_SIZE).order(ByteOrder.LITTLE_ENDIAN);
    while (b.hasRemaining()) {
      if (c.read(b, b.position()) < 0) {
        throw new OverlayException(name, "not a hexz overlay (shorter than its header)");
      }
    }
    if (!Arrays.equals(Arrays.copyOf(b.array(), 8), MAGIC)) {
      throw new OverlayException(name, "not a hexz overlay (bad magic)");
    }
    if (b.getInt(HEADER_SIZE - 4) != Checksums.crc32c(b.array(), 0, HEADER_SIZE - 4)) {
      throw new OverlayException(name, "overlay header checksum mismatch: damaged header");
    }
    if (b.getShort(8) != 1) {
      throw new OverlayException(name, "overlay version " + b.getShort(8) + " was made by a newer hexz");
    }
    if (b.getInt(12) != PAGE_SIZE) {
      throw new OverlayException(name, "overlay page size " + b.getInt(12) + " is not " + PAGE_SIZE);
    }
    int minor = Short.toUnsignedInt(b.getShort(10));
    long size = b.getLong(16);
    if (size < 0 || size > MAX_SIZE) {
      throw new OverlayException(name, "overlay size " + size + " is outside 0.." + MAX_SIZE);
    }
    long baseSize = minor >= 2 ? b.getLong(56) : size;
    if (baseSize < 0) {
      throw new OverlayException(name, "overlay base size " + baseSize + " is negative");
    }
    byte[] id = new byte[32];
    b.get(24, id);
    return new OverlayHeader(size, baseSize, id, minor);
  }
}
