package io.hexz.format;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.zip.CRC32C;

/** CRC32C and SHA-256 helpers used by every checked structure. Stateless, thread-safe. */
public final class Checksums {
  private Checksums() {}

  public static int crc32c(byte[] b, int off, int len) {
    CRC32C c = new CRC32C();
    c.update(b, off, len);
    return (int) c.getValue();
  }

  public static int crc32c(ByteBuffer b) {
    CRC32C c = new CRC32C();
    c.update(b.duplicate());
    return (int) c.getValue();
  }

  public static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK has no SHA-256", e);
    }
  }

  public static String hex(byte[] b) {
    StringBuilder sb = new StringBuilder(b.length * 2);
    for (byte x : b) {
      sb.append(Character.forDigit((x >> 4) & 15, 16)).append(Character.forDigit(x & 15, 16));
    }
    return sb.toString();
  }

  public static boolean isZero(byte[] b, int off, int len) {
    // ByteBuffer.mismatch is vectorised; a plain loop over 64 KiB costs several times more.
    return len == 0 || ByteBuffer.wrap(b, off, len).mismatch(ByteBuffer.wrap(zeros(len), 0, len)) < 0;
  }

  private static volatile byte[] zeros = new byte[1 << 20];

  private static byte[] zeros(int len) {
    byte[] z = zeros;
    if (z.length < len) {
      z = new byte[len];
      zeros = z;
    }
    return z;
  }
}
