package io.hexz.read;

import io.hexz.crypto.Crypto;
import io.hexz.crypto.Secret;
import io.hexz.crypto.SnapshotCipher;
import io.hexz.format.Checksums;
import io.hexz.format.CorruptSnapshotException;
import io.hexz.format.Format;
import io.hexz.format.Header;
import io.hexz.format.Metadata;
import io.hexz.format.PasswordRequiredException;
import io.hexz.format.SignatureInfo;
import io.hexz.format.SnapshotException;
import io.hexz.format.WrongPasswordException;
import io.hexz.store.ByteSource;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import javax.crypto.AEADBadTagException;

/**
 * The first reads of a snapshot file, before anything else is trusted: the header (checked), for
 * an encrypted file the key (derived from the password) and its key check (which authenticates
 * every clear header field), then the metadata (CRC32C, and opened with the key). Also the
 * unsealing of any sealed structure after its CRC, which the index pages share. Stateless.
 */
final class SnapshotOpener {
  private SnapshotOpener() {}

  /**
   * What opening learned: the checked header and metadata, the content identity (in an encrypted
   * file the header shows only an opaque one), the header bytes as read (for signing), the
   * metadata's SHA-256, and the cipher, null unless encrypted, which the caller must close.
   */
  record Opened(Header header, Metadata metadata, SnapshotCipher cipher, byte[] identity, byte[] rawHeader,
      byte[] metadataHash) {}

  /** Reads and checks just the header of {@code source}. */
  static Header readHeader(ByteSource source) throws IOException {
    return decodeHeader(source, readHeaderBytes(source));
  }

  /** Checks and decodes header bytes read from {@code source}. */
  static Header decodeHeader(ByteSource source, byte[] raw) throws IOException {
    return Header.decode(source.name(), ByteBuffer.wrap(raw), source.size());
  }

  /** The raw 4096 header bytes of {@code source} (not checked). */
  static byte[] readHeaderBytes(ByteSource source) throws IOException {
    long size = source.size();
    if (size < Format.HEADER_SIZE) {
      throw new CorruptSnapshotException(source.name(), "not a hexz snapshot (file is only " + size + " bytes)");
    }
    return readAt(source, 0, Format.HEADER_SIZE);
  }

  /**
   * Checks header bytes {@code raw} read from {@code source}, unlocks the file if it is encrypted
   * and reads its metadata. On failure nothing is left open but the source (the caller's).
   *
   * @param hasParent whether the parent is open: a thin snapshot is refused without it
   */
  static Opened open(ByteSource source, byte[] raw, Secret password, boolean hasParent) throws IOException {
    Header h = decodeHeader(source, raw);
    String name = source.name();
    if (h.isThin() && !hasParent) {
      throw new SnapshotException(name, "is a thin snapshot; its parent must be opened first");
    }
    SnapshotCipher cipher = h.isEncrypted() ? unlock(name, h, password) : null;
    try {
      byte[] identity = cipher == null ? h.identity() : openKeyCheck(name, h, raw, cipher);
      byte[] metaBytes = readAt(source, h.metadataOffset(), h.metadataLength());
      if (cipher != null) {
        metaBytes = unseal(name, "metadata", cipher, SnapshotCipher.Domain.METADATA, h.metadataOffset(), metaBytes,
            h.metadataCrc());
      } else if (Checksums.crc32c(metaBytes, 0, metaBytes.length) != h.metadataCrc()) {
        throw new CorruptSnapshotException(name, "metadata checksum mismatch: damaged metadata");
      }
      Metadata meta = Metadata.parse(name, metaBytes);
      return new Opened(h, meta, cipher, identity, raw, Checksums.sha256().digest(metaBytes));
    } catch (IOException | RuntimeException e) {
      if (cipher != null) {
        cipher.close();
      }
      throw e;
    }
  }

  /** The cipher of an encrypted snapshot, from {@code password}. */
  private static SnapshotCipher unlock(String name, Header h, Secret password) throws SnapshotException {
    if (password == null) {
      throw new PasswordRequiredException(name);
    }
    return Crypto.derive(password, h.encryption());
  }

  /**
   * Opens the key check: proves the key and authenticates the clear header; returns the content
   * identity it seals.
   */
  private static byte[] openKeyCheck(String name, Header h, byte[] raw, SnapshotCipher cipher) throws SnapshotException {
    byte[] check = h.encryption().keyCheck();
    byte[] identity;
    try {
      identity = cipher.open(SnapshotCipher.Domain.HEADER, 0, check, 0, check.length,
          SignatureInfo.keyCheckBytes(raw));
    } catch (AEADBadTagException e) {
      throw new WrongPasswordException(name);
    }
    if (!Arrays.equals(cipher.opaqueIdentity(identity), h.identity())) {
      throw new CorruptSnapshotException(name, "identity does not match its sealed key check: damaged header");
    }
    return identity;
  }

  /** The plaintext of a sealed structure, after its CRC32C (over the stored bytes) is checked. */
  static byte[] unseal(String name, String what, SnapshotCipher cipher, SnapshotCipher.Domain d, long off,
      byte[] stored, Integer crc) throws CorruptSnapshotException {
    if (crc != null && Checksums.crc32c(stored, 0, stored.length) != crc) {
      throw new CorruptSnapshotException(name, what + " checksum mismatch: damaged " + what);
    }
    try {
      return cipher.open(d, off, stored, 0, stored.length);
    } catch (AEADBadTagException e) {
      throw new CorruptSnapshotException(name, what + " at offset " + off
          + " fails authentication (changed, moved, or from another snapshot)");
    }
  }

  /** {@code length} bytes at {@code offset} in a new array; a short file is corruption. */
  static byte[] readAt(ByteSource source, long offset, int length) throws IOException {
    return readInto(source, new byte[length], offset, length);
  }

  /** Reads {@code length} bytes at {@code offset} into the start of {@code b}; returns b. */
  static byte[] readInto(ByteSource source, byte[] b, long offset, int length) throws IOException {
    try {
      source.readFully(ByteBuffer.wrap(b, 0, length), offset);
      return b;
    } catch (EOFException e) {
      throw new CorruptSnapshotException(source.name(), "truncated at offset " + offset, e);
    }
  }
}
