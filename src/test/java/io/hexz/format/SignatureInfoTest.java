package io.hexz.format;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * The signature and encryption blocks: what a signature and a key check cover (so that signing
 * later changes nothing either covers), and the bounds of their fields when constructed.
 */
class SignatureInfoTest {
  private static SignatureInfo sig(int fill) {
    byte[] fp = new byte[Format.HASH_SIZE];
    Arrays.fill(fp, (byte) fill);
    byte[] s = new byte[SignatureInfo.SIGNATURE_BYTES];
    Arrays.fill(s, (byte) (fill + 1));
    return new SignatureInfo(fp, s);
  }

  @Test
  void signingChangesNothingTheSignatureOrTheKeyCheckCovers() {
    byte[] header = HeaderTest.encryptedAndSigned().encode().array();
    byte[] unsigned = HeaderTest.plain().encode().array();
    byte[] signed = SignatureInfo.applyTo(unsigned, sig(1));
    byte[] resigned = SignatureInfo.applyTo(signed, sig(7));
    assertArrayEquals(SignatureInfo.signedBytes(unsigned), SignatureInfo.signedBytes(signed));
    assertArrayEquals(SignatureInfo.signedBytes(signed), SignatureInfo.signedBytes(resigned));
    assertEquals(Format.HEADER_CRC_OFFSET, SignatureInfo.signedBytes(signed).length, "the CRC is not covered");
    // The key check is not covered by itself, but everything else the signature covers is.
    byte[] k = SignatureInfo.keyCheckBytes(header);
    for (int i = EncryptionInfo.KEY_CHECK_OFFSET; i < EncryptionInfo.KEY_CHECK_OFFSET + EncryptionInfo.KEY_CHECK_SIZE;
        i++) {
      assertEquals(0, k[i]);
    }
    assertEquals(EncryptionInfo.KEY_CHECK_OFFSET, Arrays.mismatch(SignatureInfo.signedBytes(header), k));
  }

  @Test
  void aSignedHeaderDecodesWithItsSignature() throws Exception {
    byte[] signed = SignatureInfo.applyTo(HeaderTest.plain().encode().array(), sig(1));
    Header h = Header.decode("/s.hxz", java.nio.ByteBuffer.wrap(signed), HeaderTest.plain().fileLength());
    assertEquals(sig(1), h.signature());
    assertTrue(h.isSigned());
    assertTrue(h.signature().toString().startsWith("Ed25519 key 0101010101010101"));
    assertNull(HeaderTest.plain().signature());
  }

  @Test
  void fieldSizesAreChecked() {
    assertEquals("fingerprint must be 32 and signature 64 bytes", assertThrows(IllegalArgumentException.class,
        () -> new SignatureInfo(new byte[31], new byte[64])).getMessage());
    assertThrows(IllegalArgumentException.class, () -> new SignatureInfo(new byte[32], new byte[65]));
    assertEquals("salt must be 32 and keyCheck 48 bytes", assertThrows(IllegalArgumentException.class,
        () -> new EncryptionInfo(64, 1, 1, new byte[31], new byte[48])).getMessage());
    assertEquals("Argon2 parallelism 17 is outside 1..16", assertThrows(IllegalArgumentException.class,
        () -> new EncryptionInfo(1024, 1, 17, new byte[32], new byte[48])).getMessage());
    assertNull(EncryptionInfo.checkParameters(8, 1, 1));
    assertNull(EncryptionInfo.checkParameters(EncryptionInfo.MAX_MEMORY_KIB, EncryptionInfo.MAX_ITERATIONS,
        EncryptionInfo.MAX_PARALLELISM));
    assertEquals("Argon2 memory 1048577 KiB is outside 8..1048576 KiB",
        EncryptionInfo.checkParameters(EncryptionInfo.MAX_MEMORY_KIB + 1, 1, 1));
  }
}
