package io.hexz.format;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * The encryption block of an encrypted snapshot's header (bytes 1536..1791): what a reader needs
 * to ask for the password and derive the key, and the sealed key check. Immutable.
 *
 * <pre>
 * Encryption := kdf:u8 (1 = Argon2id v1.3) cipher:u8 (1 = AES-256-GCM) reserved:u16 = 0
 *               memoryKiB:u32 iterations:u32 parallelism:u32
 *               salt[32]                 -- random per snapshot: the key is per snapshot
 *               keyCheck[48]             -- AES-GCM(key, nonce(HEADER, 0), identity) || tag,
 *                                           AAD = the header with this field, the signature block
 *                                           and the SIGNED bit zeroed, CRC excluded
 *               zero[160]
 * </pre>
 * {@link #decode} bounds every KDF parameter before anything derives a key from it, so a damaged
 * or hostile header cannot make a reader allocate more than {@link #MAX_MEMORY_KIB} KiB.
 *
 * @param memoryKiB Argon2id memory cost in KiB
 * @param iterations Argon2id passes
 * @param parallelism Argon2id lanes
 * @param salt the per-snapshot salt (also the snapshot's key identity in every AAD)
 * @param keyCheck the sealed content identity (32 bytes ciphertext, 16 bytes tag)
 */
public record EncryptionInfo(int memoryKiB, int iterations, int parallelism, byte[] salt, byte[] keyCheck) {
  public static final int KDF_ARGON2ID = 1;
  public static final int CIPHER_AES256_GCM = 1;
  public static final int SALT_SIZE = 32;
  public static final int KEY_CHECK_SIZE = Format.HASH_SIZE + Format.TAG_SIZE;
  /** Offset of keyCheck inside the header. */
  public static final int KEY_CHECK_OFFSET = Format.ENCRYPTION_OFFSET + 48;
  /** Largest Argon2 memory cost a reader accepts (1 GiB). */
  public static final int MAX_MEMORY_KIB = 1 << 20;
  public static final int MAX_ITERATIONS = 64;
  public static final int MAX_PARALLELISM = 16;

  public EncryptionInfo {
    salt = salt.clone();
    keyCheck = keyCheck.clone();
    String bad = checkParameters(memoryKiB, iterations, parallelism);
    if (bad != null) {
      throw new IllegalArgumentException(bad);
    }
    if (salt.length != SALT_SIZE || keyCheck.length != KEY_CHECK_SIZE) {
      throw new IllegalArgumentException("salt must be " + SALT_SIZE + " and keyCheck " + KEY_CHECK_SIZE + " bytes");
    }
  }

  /** Why these Argon2id parameters are refused, or null if they are in range. */
  public static String checkParameters(int memoryKiB, int iterations, int parallelism) {
    if (parallelism < 1 || parallelism > MAX_PARALLELISM) {
      return "Argon2 parallelism " + Integer.toUnsignedString(parallelism) + " is outside 1.." + MAX_PARALLELISM;
    }
    if (memoryKiB < 8 * parallelism || memoryKiB > MAX_MEMORY_KIB) {
      return "Argon2 memory " + Integer.toUnsignedString(memoryKiB) + " KiB is outside " + 8 * parallelism + ".."
          + MAX_MEMORY_KIB + " KiB";
    }
    if (iterations < 1 || iterations > MAX_ITERATIONS) {
      return "Argon2 iterations " + Integer.toUnsignedString(iterations) + " is outside 1.." + MAX_ITERATIONS;
    }
    return null;
  }

  @Override
  public byte[] salt() {
    return salt.clone();
  }

  @Override
  public byte[] keyCheck() {
    return keyCheck.clone();
  }

  /** Writes this block at {@link Format#ENCRYPTION_OFFSET} of a little-endian header buffer. */
  void encodeInto(ByteBuffer header) {
    int at = Format.ENCRYPTION_OFFSET;
    header.put(at, (byte) KDF_ARGON2ID).put(at + 1, (byte) CIPHER_AES256_GCM);
    header.putInt(at + 4, memoryKiB).putInt(at + 8, iterations).putInt(at + 12, parallelism);
    header.put(at + 16, salt).put(KEY_CHECK_OFFSET, keyCheck);
  }

  /** Parses and bounds the block of a header whose ENCRYPTED flag is set. */
  static EncryptionInfo decode(String file, ByteBuffer header) throws SnapshotException {
    int at = Format.ENCRYPTION_OFFSET;
    int kdf = Byte.toUnsignedInt(header.get(at));
    int cipher = Byte.toUnsignedInt(header.get(at + 1));
    if (kdf != KDF_ARGON2ID || cipher != CIPHER_AES256_GCM || header.getShort(at + 2) != 0) {
      throw new SnapshotFormatTooNewException(file, "is encrypted with key derivation " + kdf + " and cipher "
          + cipher + ", which this hexz does not know (it knows Argon2id + AES-256-GCM)");
    }
    String bad = checkParameters(header.getInt(at + 4), header.getInt(at + 8), header.getInt(at + 12));
    if (bad != null) {
      throw new CorruptSnapshotException(file, bad + ": damaged header");
    }
    byte[] salt = new byte[SALT_SIZE];
    byte[] check = new byte[KEY_CHECK_SIZE];
    header.get(at + 16, salt).get(KEY_CHECK_OFFSET, check);
    if (Header.isZero(salt)) {
      throw new CorruptSnapshotException(file, "encrypted but its salt is zero: damaged header");
    }
    return new EncryptionInfo(header.getInt(at + 4), header.getInt(at + 8), header.getInt(at + 12), salt, check);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof EncryptionInfo e && e.memoryKiB == memoryKiB && e.iterations == iterations
        && e.parallelism == parallelism && Arrays.equals(e.salt, salt) && Arrays.equals(e.keyCheck, keyCheck);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(salt);
  }

  @Override
  public String toString() {
    return "Argon2id(m=" + memoryKiB + " KiB, t=" + iterations + ", p=" + parallelism + ")";
  }

  /** A little-endian view of a header, for callers that edit raw header bytes. */
  static ByteBuffer le(byte[] header) {
    return ByteBuffer.wrap(header).order(ByteOrder.LITTLE_ENDIAN);
  }
}
