package io.hexz.format;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * The signature block of a signed snapshot's header (bytes 2048..2303). Immutable.
 *
 * <pre>
 * Signature := alg:u8 (1 = Ed25519) reserved[3] = 0
 *              keyFingerprint[32]   -- SHA-256 of the signer's public key (X.509 SubjectPublicKeyInfo DER)
 *              signature[64]        -- Ed25519 over "hexz-signature-1" || root (see FORMAT.md, Signing)
 *              zero[156]
 * </pre>
 *
 * @param fingerprint SHA-256 of the public key's X.509 encoding (names the key in errors)
 * @param signature the 64-byte Ed25519 signature
 */
public record SignatureInfo(byte[] fingerprint, byte[] signature) {
  public static final int ALG_ED25519 = 1;
  public static final int SIGNATURE_BYTES = 64;

  public SignatureInfo {
    fingerprint = fingerprint.clone();
    signature = signature.clone();
    if (fingerprint.length != Format.HASH_SIZE || signature.length != SIGNATURE_BYTES) {
      throw new IllegalArgumentException("fingerprint must be 32 and signature 64 bytes");
    }
  }

  @Override
  public byte[] fingerprint() {
    return fingerprint.clone();
  }

  @Override
  public byte[] signature() {
    return signature.clone();
  }

  void encodeInto(ByteBuffer header) {
    int at = Format.SIGNATURE_OFFSET;
    header.put(at, (byte) ALG_ED25519).put(at + 4, fingerprint).put(at + 36, signature);
  }

  static SignatureInfo decode(String file, ByteBuffer header) throws SnapshotException {
    int at = Format.SIGNATURE_OFFSET;
    int alg = Byte.toUnsignedInt(header.get(at));
    if (alg != ALG_ED25519) {
      throw new SnapshotFormatTooNewException(file, "is signed with algorithm " + alg
          + ", which this hexz does not know (it knows Ed25519)");
    }
    byte[] fp = new byte[Format.HASH_SIZE];
    byte[] sig = new byte[SIGNATURE_BYTES];
    header.get(at + 4, fp).get(at + 36, sig);
    return new SignatureInfo(fp, sig);
  }

  /**
   * The header bytes a signature covers: bytes 0..4091 with the SIGNED bit cleared and the
   * signature block zeroed, so signing changes nothing that is signed.
   */
  public static byte[] signedBytes(byte[] header) {
    byte[] b = Arrays.copyOf(header, Format.HEADER_CRC_OFFSET);
    ByteBuffer v = EncryptionInfo.le(b);
    v.putInt(Format.COMPAT_FLAGS_OFFSET, v.getInt(Format.COMPAT_FLAGS_OFFSET) & ~Format.COMPAT_SIGNED);
    Arrays.fill(b, Format.SIGNATURE_OFFSET, Format.SIGNATURE_OFFSET + Format.SIGNATURE_SIZE, (byte) 0);
    return b;
  }

  /**
   * What the key check of an encrypted snapshot authenticates: {@link #signedBytes} with the key
   * check itself zeroed too (it cannot cover itself; signing later must not break it).
   */
  public static byte[] keyCheckBytes(byte[] header) {
    byte[] b = signedBytes(header);
    Arrays.fill(b, EncryptionInfo.KEY_CHECK_OFFSET, EncryptionInfo.KEY_CHECK_OFFSET + EncryptionInfo.KEY_CHECK_SIZE,
        (byte) 0);
    return b;
  }

  /** {@code header} (4096 bytes, not modified) signed with {@code s}: flag set, block written, CRC recomputed. */
  public static byte[] applyTo(byte[] header, SignatureInfo s) {
    byte[] b = header.clone();
    ByteBuffer v = EncryptionInfo.le(b);
    Arrays.fill(b, Format.SIGNATURE_OFFSET, Format.SIGNATURE_OFFSET + Format.SIGNATURE_SIZE, (byte) 0);
    v.putInt(Format.COMPAT_FLAGS_OFFSET, v.getInt(Format.COMPAT_FLAGS_OFFSET) | Format.COMPAT_SIGNED);
    s.encodeInto(v);
    v.putInt(Format.HEADER_CRC_OFFSET, Checksums.crc32c(b, 0, Format.HEADER_CRC_OFFSET));
    return b;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SignatureInfo s && Arrays.equals(s.fingerprint, fingerprint)
        && Arrays.equals(s.signature, signature);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(signature);
  }

  @Override
  public String toString() {
    return "Ed25519 key " + Checksums.hex(fingerprint).substring(0, 16);
  }
}
