package io.hexz.cli;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Set;

/**
 * Where mount processes leave their pid and log: a directory only this user can write, so no one
 * else can plant a file or a symlink there. Root uses /run/hexz; other users
 * {@code $XDG_RUNTIME_DIR/hexz}, else {@code TMPDIR/hexz-run-UID}. An existing directory is
 * used only if it is a real directory (not a symlink) owned by this user; group and other
 * permissions are removed. Files in it are created anew, never opened through a symlink.
 * Stateless.
 */
final class RunDir {
  private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rwx------");

  private RunDir() {}

  static Path dir() throws IOException {
    long uid = ((Number) Files.getAttribute(Path.of("/proc/self"), "unix:uid")).longValue();
    Path d;
    if (uid == 0 && Files.isWritable(Path.of("/run"))) {
      d = Path.of("/run", "hexz");
    } else {
      String xdg = System.getenv("XDG_RUNTIME_DIR");
      Path base = xdg != null && xdg.startsWith("/") && ownedBy(Path.of(xdg), uid) ? Path.of(xdg) : null;
      d = base != null ? base.resolve("hexz") : Path.of(System.getProperty("java.io.tmpdir"), "hexz-run-" + uid);
    }
    try {
      Files.createDirectory(d, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
    } catch (java.nio.file.FileAlreadyExistsException e) {
      // checked below, whoever made it
    }
    if (!Files.isDirectory(d, LinkOption.NOFOLLOW_LINKS)) {
      throw new FileSystemException(d.toString(), null, "not a directory (a symlink?): refusing to keep mount logs there");
    }
    if (!ownedBy(d, uid)) {
      Object owner = Files.getAttribute(d, "unix:uid", LinkOption.NOFOLLOW_LINKS);
      throw new AccessDeniedException(d.toString(), null,
          "owned by uid " + owner + ", not by you (uid " + uid + "): refusing to keep mount logs there");
    }
    if (!Files.getPosixFilePermissions(d, LinkOption.NOFOLLOW_LINKS).equals(OWNER_ONLY)) {
      Files.setPosixFilePermissions(d, OWNER_ONLY);
    }
    return d;
  }

  private static boolean ownedBy(Path p, long uid) throws IOException {
    return Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)
        && ((Number) Files.getAttribute(p, "unix:uid", LinkOption.NOFOLLOW_LINKS)).longValue() == uid;
  }

  /**
   * Replaces {@code file} with a new, empty one holding {@code text}: whatever was there (a stale
   * file, a symlink) is removed, never written through.
   */
  static void writeNew(Path file, String text) throws IOException {
    Files.deleteIfExists(file);
    try (SeekableByteChannel ch = Files.newByteChannel(file, Set.of(StandardOpenOption.CREATE_NEW,
        StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS), PosixFilePermissions.asFileAttribute(
            PosixFilePermissions.fromString("rw-------")))) {
      ByteBuffer b = ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
      while (b.hasRemaining()) {
        ch.write(b);
      }
    }
  }

  private static String key(Path mnt) {
    try {
      byte[] h = MessageDigest.getInstance("SHA-256").digest(mnt.toString().getBytes(StandardCharsets.UTF_8));
      StringBuilder sb = new StringBuilder();
      for (int i = 0; i < 8; i++) {
        sb.append(String.format("%02x", h[i]));
      }
      return sb.toString();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  static Path pidFile(Path mnt) throws IOException {
    return dir().resolve("mount-" + key(mnt) + ".pid");
  }

  static Path logFile(Path mnt) throws IOException {
    return dir().resolve("mount-" + key(mnt) + ".log");
  }
}
