package io.hexz.testing;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Random;
import java.util.Set;

/** Generators of test content and the facts a correct writer must derive from it. Stateless. */
public final class TestData {
  private TestData() {}

  /** Shapes of content that exercise different writer paths. */
  public enum Kind {
    /** Zero runs (many whole zero blocks) between stretches of text and noise. */
    SPARSE,
    /** Whole blocks drawn from a pool of three (block 2 always repeats block 0). */
    REPETITIVE,
    /** Incompressible noise: every stored block stays raw. */
    RANDOM,
    /** Word salad: compresses well with lz4 and zstd. */
    TEXT;

    public byte[] generate(int size, int blockSize, Random rnd) {
      switch (this) {
        case SPARSE:
          return sparse(size, blockSize, rnd);
        case REPETITIVE:
          return repetitive(size, blockSize, rnd);
        case RANDOM:
          return random(size, rnd);
        default:
          return text(size, rnd);
      }
    }
  }

  private static final String[] WORDS = ("the snapshot block index page header codec zstd lz4 dedup stream "
      + "memory disk image kernel module firmware weights tensor layer bias gradient inode extent journal "
      + "superblock cylinder sector partition volume mount fuse overlay parent child thin chain verify").split(" ");

  public static byte[] random(int size, Random rnd) {
    byte[] b = new byte[size];
    rnd.nextBytes(b);
    return b;
  }

  private static final byte[][] WORD_BYTES = new byte[WORDS.length][];

  static {
    for (int i = 0; i < WORDS.length; i++) {
      WORD_BYTES[i] = WORDS[i].getBytes(StandardCharsets.US_ASCII);
    }
  }

  public static byte[] text(int size, Random rnd) {
    byte[] b = new byte[size];
    int i = 0;
    while (i < size) {
      int r = rnd.nextInt(12 * 14);
      if (r % 12 == 0) {
        int num = rnd.nextInt(100_000);
        do {
          if (i < size) {
            b[i++] = (byte) ('0' + num % 10);
          }
          num /= 10;
        } while (num > 0);
      } else {
        byte[] w = WORD_BYTES[rnd.nextInt(WORD_BYTES.length)];
        int n = Math.min(w.length, size - i);
        System.arraycopy(w, 0, b, i, n);
        i += n;
      }
      if (i < size && r % 14 == 0) {
        b[i++] = '.';
        if (i < size) {
          b[i++] = '\n';
        }
      } else if (i < size) {
        b[i++] = ' ';
      }
    }
    return b;
  }

  public static byte[] sparse(int size, int blockSize, Random rnd) {
    byte[] b = new byte[size];
    int i = 0;
    while (i < size) {
      int zeros = 1 + rnd.nextInt(3 * blockSize);
      i += zeros; // left zero
      if (i >= size) {
        break;
      }
      int n = Math.min(size - i, 1 + rnd.nextInt(2 * blockSize));
      byte[] fill = rnd.nextBoolean() ? text(n, rnd) : random(n, rnd);
      System.arraycopy(fill, 0, b, i, n);
      i += n;
    }
    return b;
  }

  public static byte[] repetitive(int size, int blockSize, Random rnd) {
    byte[][] pool = {text(blockSize, rnd), random(blockSize, rnd), sparse(blockSize, blockSize / 4, rnd)};
    pool[2][blockSize / 2] = 1; // never all zero
    byte[] b = new byte[size];
    for (int i = 0, blk = 0; i < size; i += blockSize, blk++) {
      // Block 2 repeats block 0, so any content of three blocks or more has a duplicate.
      byte[] tile = pool[blk < 2 ? blk : blk == 2 ? 0 : rnd.nextInt(pool.length)];
      System.arraycopy(tile, 0, b, i, Math.min(blockSize, size - i));
    }
    return b;
  }

  /** A mix of every kind, in stretches of a few blocks. */
  public static byte[] mixed(int size, int blockSize, Random rnd) {
    byte[] b = new byte[size];
    int i = 0;
    Kind[] kinds = Kind.values();
    while (i < size) {
      int n = Math.min(size - i, blockSize * (1 + rnd.nextInt(8)) + rnd.nextInt(blockSize));
      byte[] part = kinds[rnd.nextInt(kinds.length)].generate(n, blockSize, rnd);
      System.arraycopy(part, 0, b, i, n);
      i += n;
    }
    return b;
  }

  // ---- facts derived from content, independently of the code under test

  /** What a writer with (or without) dedup must report for one stream. */
  public record BlockFacts(long blocks, long zeroBlocks, long dedupBlocks, long storedBlocks) {}

  /**
   * Counts zero, duplicate and stored blocks of {@code data} cut at {@code blockSize}.
   *
   * @param seen content keys of blocks already stored (shared across the streams of one file, in
   *     write order); updated
   */
  public static BlockFacts facts(byte[] data, int blockSize, boolean dedup, Set<String> seen) {
    long blocks = 0;
    long zero = 0;
    long dup = 0;
    long stored = 0;
    for (int off = 0; off < data.length; off += blockSize) {
      int len = Math.min(blockSize, data.length - off);
      blocks++;
      if (isZero(data, off, len)) {
        zero++;
      } else if (dedup && !seen.add(len + ":" + HexFormat.of().formatHex(sha256(data, off, len)))) {
        dup++;
      } else {
        stored++;
      }
    }
    return new BlockFacts(blocks, zero, dup, stored);
  }

  public static boolean isZero(byte[] b, int off, int len) {
    for (int i = off; i < off + len; i++) {
      if (b[i] != 0) {
        return false;
      }
    }
    return true;
  }

  public static byte[] sha256(byte[] b, int off, int len) {
    MessageDigest d = sha256();
    d.update(b, off, len);
    return d.digest();
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
  }

  /**
   * A snapshot identity computed from the grammar in FORMAT.md / {@code Identity}'s Javadoc, not
   * with the production code: SHA-256("hexz-identity-1" || blockSize:u32 || (kindId:u8 size:u64
   * SHA-256(concat of every block's SHA-256))* in slot order), little-endian.
   *
   * @param streamsBySlot content of slot 0 (disk) and slot 1 (memory); null where absent
   */
  public static byte[] identity(int blockSize, byte[]... streamsBySlot) {
    MessageDigest d = sha256();
    d.update("hexz-identity-1".getBytes(StandardCharsets.US_ASCII));
    d.update(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(blockSize).array());
    for (int slot = 0; slot < streamsBySlot.length; slot++) {
      byte[] s = streamsBySlot[slot];
      if (s == null) {
        continue;
      }
      MessageDigest stream = sha256();
      for (int off = 0; off < s.length; off += blockSize) {
        stream.update(sha256(s, off, Math.min(blockSize, s.length - off)));
      }
      d.update(ByteBuffer.allocate(9).order(ByteOrder.LITTLE_ENDIAN).put((byte) (slot + 1)).putLong(s.length)
          .array());
      d.update(stream.digest());
    }
    return d.digest();
  }

  /** A short description of where two arrays first differ, for assertion messages. */
  public static String firstDifference(byte[] expected, byte[] actual) {
    int m = Arrays.mismatch(expected, actual);
    if (m < 0) {
      return "equal";
    }
    return "first difference at byte " + m + " (expected length " + expected.length + ", actual " + actual.length
        + ")";
  }
}
