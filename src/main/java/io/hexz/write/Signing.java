package io.hexz.write;

import io.hexz.crypto.Signatures;
import io.hexz.format.Format;
import io.hexz.format.SignatureInfo;
import io.hexz.read.ReadOptions;
import io.hexz.read.Snapshot;
import io.hexz.read.Snapshots;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.util.Arrays;

/**
 * Signs a snapshot in place: computes its root hash, signs it with Ed25519, and replaces the file
 * atomically with a copy whose header carries the signature (temporary file beside it, fsync,
 * check that the copy verifies with the key, rename, fsync of the directory). Any failure leaves
 * the original untouched and no temporary file behind. Stateless.
 */
public final class Signing {
  private Signing() {}

  /**
   * Signs {@code snapshot} with {@code key}; returns the signature block written.
   *
   * @param options how the snapshot (and its parents) are opened: the password of an encrypted one
   */
  public static SignatureInfo sign(Path snapshot, PrivateKey key, ReadOptions options) throws IOException {
    Path target = snapshot.toAbsolutePath();
    PublicKey pub = Signatures.publicOf(key);
    ReadOptions ro = options.withPublicKey(null).withPrefetch(false).withCacheBytes(16L << 20);
    byte[] raw;
    byte[] root;
    long length;
    try (Snapshot s = Snapshots.open(target, ro)) {
      raw = Snapshots.rawHeader(s);
      root = Snapshots.signedRoot(s);
      length = s.header().fileLength();
    }
    SignatureInfo info = new SignatureInfo(Signatures.fingerprint(pub), Signatures.sign(key, root));
    byte[] signed = SignatureInfo.applyTo(raw, info);
    Path temp = Files.createTempFile(target.getParent(), "." + target.getFileName() + ".", ".hexz-tmp");
    boolean moved = false;
    try {
      copyPermissions(target, temp);
      try (FileChannel in = FileChannel.open(target, StandardOpenOption.READ);
          FileChannel out = FileChannel.open(temp, StandardOpenOption.WRITE, StandardOpenOption.READ)) {
        byte[] now = new byte[Format.HEADER_SIZE];
        in.read(ByteBuffer.wrap(now), 0);
        if (in.size() != length || !Arrays.equals(now, raw)) {
          throw new IOException(target + ": changed while it was being signed; nothing was written");
        }
        for (long pos = 0; pos < length; ) {
          long n = in.transferTo(pos, length - pos, out);
          if (n <= 0) {
            throw new IOException(target + ": short read while copying for signing");
          }
          pos += n;
        }
        ByteBuffer hb = ByteBuffer.wrap(signed);
        while (hb.hasRemaining()) {
          out.write(hb, hb.position());
        }
        out.force(true);
      }
      // The copy must verify before it may replace the original.
      try (Snapshot check = Snapshots.open(temp, ro.withPublicKey(pub).withCacheBytes(0))) {
        check.size();
      }
      OutputFile.replace(temp, target);
      moved = true;
      return info;
    } finally {
      if (!moved) {
        Files.deleteIfExists(temp);
      }
    }
  }

  private static void copyPermissions(Path from, Path to) throws IOException {
    try {
      Files.setPosixFilePermissions(to, Files.getPosixFilePermissions(from));
    } catch (UnsupportedOperationException ignored) {
      // not a POSIX file system
    }
  }
}
