package io.hexz.crypto;

import javax.crypto.AEADBadTagException;

/**
 * Seals and opens the structures of one encrypted snapshot with AES-256-GCM under its
 * per-snapshot key.
 *
 * <p>Nonce: {@code domain:u8 zero[3] offset:u64} (12 bytes). Each structure is written once at
 * its file offset under a key that belongs to one file (random salt), and the domain separates
 * the header's key check (offset 0) from payloads, pages and metadata, so no nonce repeats under
 * a key. AAD: {@code "hexz-aad-1" domain:u8 offset:u64 length:u32 salt[32] extra}, binding each
 * structure to its place, its length and its snapshot.
 *
 * <p>Concurrency: thread-safe (one cipher per thread); {@link #close} must not race other calls.
 */
public interface SnapshotCipher extends AutoCloseable {
  /** What a sealed structure is; part of its nonce and AAD. */
  enum Domain {
    HEADER(1), METADATA(2), INDEX(3), PAYLOAD(4);

    final int id;

    Domain(int id) {
      this.id = id;
    }
  }

  /** {@code plain[off, off+len)} sealed for {@code offset}: ciphertext || 16-byte tag. */
  byte[] seal(Domain d, long offset, byte[] plain, int off, int len, byte[] extraAad);

  /** The plaintext of {@code stored[off, off+len)} (ciphertext || tag) sealed for {@code offset}. */
  byte[] open(Domain d, long offset, byte[] stored, int off, int len, byte[] extraAad) throws AEADBadTagException;

  /**
   * Opens {@code stored[off, off+len)} into {@code out} at {@code outOff} (which may be {@code
   * stored} itself: decryption in place saves a block-sized copy on the read path); returns the
   * plaintext length, {@code len - 16}. Nothing of the plaintext may be used if this throws.
   */
  int open(Domain d, long offset, byte[] stored, int off, int len, byte[] out, int outOff) throws AEADBadTagException;

  default byte[] seal(Domain d, long offset, byte[] plain, int off, int len) {
    return seal(d, offset, plain, off, len, null);
  }

  default byte[] open(Domain d, long offset, byte[] stored, int off, int len) throws AEADBadTagException {
    return open(d, offset, stored, off, len, null);
  }

  /**
   * What an encrypted snapshot shows as its identity: a keyed hash of the content identity, so
   * the clear header does not say which known image the file holds.
   */
  byte[] opaqueIdentity(byte[] identity);

  /** Forgets the key material this object holds (see ARCHITECTURE.md for what the JDK keeps). */
  @Override
  void close();
}
