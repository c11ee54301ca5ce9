package io.hexz.testing;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.function.Consumer;
import java.util.zip.CRC32C;

/** Ways to damage a copy of a good snapshot on purpose. Stateless. */
public final class Damage {
  private Damage() {}

  /** Copies {@code good} to {@code out} and inverts bit {@code bit} of byte {@code pos}. */
  public static Path flipBit(Path good, Path out, long pos, int bit) throws IOException {
    byte[] b = Files.readAllBytes(good);
    b[Math.toIntExact(pos)] ^= (byte) (1 << bit);
    return Files.write(out, b);
  }

  /** Inverts bit {@code bit} of byte {@code pos} of {@code file} in place (call twice to undo). */
  public static void toggleBitInPlace(Path file, long pos, int bit) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      ByteBuffer one = ByteBuffer.allocate(1);
      ch.read(one, pos);
      one.put(0, (byte) (one.get(0) ^ (1 << bit))).rewind();
      ch.write(one, pos);
    }
  }

  /** Copies the first {@code length} bytes of {@code good} to {@code out}. */
  public static Path truncate(Path good, Path out, long length) throws IOException {
    byte[] b = Files.readAllBytes(good);
    return Files.write(out, java.util.Arrays.copyOf(b, Math.toIntExact(length)));
  }

  /** Copies {@code good} to {@code out} with [pos, pos+length) set to zero. */
  public static Path zero(Path good, Path out, long pos, int length) throws IOException {
    byte[] b = Files.readAllBytes(good);
    java.util.Arrays.fill(b, Math.toIntExact(pos), Math.toIntExact(Math.min(b.length, pos + length)), (byte) 0);
    return Files.write(out, b);
  }

  /**
   * Copies {@code good} to {@code out} after {@code edit} changed its 4 KiB header (a
   * little-endian view at position 0), then recomputes the header CRC, so the field checks
   * themselves are exercised rather than the checksum.
   */
  public static Path editHeader(Path good, Path out, Consumer<ByteBuffer> edit) throws IOException {
    byte[] b = Files.readAllBytes(good);
    ByteBuffer h = ByteBuffer.wrap(b, 0, 4096).slice().order(ByteOrder.LITTLE_ENDIAN);
    edit.accept(h);
    recrcHeader(b);
    return Files.write(out, b);
  }

  /** Rewrites the header CRC32C (bytes 4092..4095, over bytes 0..4091). */
  public static void recrcHeader(byte[] file) {
    CRC32C c = new CRC32C();
    c.update(file, 0, 4092);
    ByteBuffer.wrap(file, 4092, 4).order(ByteOrder.LITTLE_ENDIAN).putInt((int) c.getValue());
  }

  /** Where {@code needle} first occurs in {@code hay}, or -1: to aim damage at stored bytes. */
  public static int indexOf(byte[] hay, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= hay.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (hay[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }
}
