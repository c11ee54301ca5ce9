package io.hexz.read;

import io.hexz.format.TreeManifest.Inode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.util.Map;
import java.util.function.Consumer;

/**
 * What {@link TreeExtract} sets on an entry once its content is in place: owner (as root only),
 * permission bits, extended attributes and modification time, in that order (chown clears
 * set-id bits, so the mode follows it; the time comes last, since every other change moves it).
 * Decides, once per extract, what a restored mode may keep: as root, all of it; otherwise what
 * tar keeps for an ordinary user. What cannot be set is reported to the warnings, not thrown.
 * Not thread-safe: one extract, one thread.
 */
final class MetadataRestorer {
  private static final LinkOption NOFOLLOW = LinkOption.NOFOLLOW_LINKS;

  private final String snapshot;
  private final Tree tree;
  private final Consumer<String> warnings;
  private final boolean root;
  /** Bits cleared from restored modes: the umask unless running as root. */
  private final int umask;

  MetadataRestorer(String snapshot, Tree tree, Consumer<String> warnings) {
    this.snapshot = snapshot;
    this.tree = tree;
    this.warnings = warnings;
    this.root = HostTools.isRoot();
    this.umask = root ? 0 : HostTools.umask();
  }

  /**
   * The permission bits to restore. As root, as stored (tar -p). Otherwise as tar does for an
   * ordinary user: set-user-ID and set-group-ID dropped and the umask applied, so a snapshot cannot
   * plant a set-id program or a world-writable file in the user's tree.
   */
  int mode(Inode n) {
    return root ? n.mode() & 07777 : n.mode() & 01777 & ~umask;
  }

  /**
   * Owner and time of a fifo or device node made with {@link #mode}: set by path (chown, touch),
   * because Java's setters open the file, which blocks on a fifo; whether the time was set.
   */
  boolean applyToSpecial(Inode n, Path p) throws IOException {
    chown(n, p);
    return HostTools.touchMtime(p, n.mtimeSec(), n.mtimeNsec());
  }

  /** Sets everything on a file, directory or symlink (a symlink has no mode or xattrs of its own). */
  void apply(Inode n, Path p) throws IOException {
    chown(n, p);
    if (!n.isSymlink()) {
      // After chown, which clears set-id bits.
      Files.setAttribute(p, "unix:mode", mode(n));
      restoreXattrs(n, p);
    }
    if (n.isSymlink()) {
      // Java sets a symlink's own time with lutimes (microseconds); touch -h keeps the nanoseconds.
      HostTools.touchMtime(p, n.mtimeSec(), n.mtimeNsec());
      return;
    }
    // The JDK hands a FileTime to the kernel as nanoseconds since 1970 in a long (years 1677 to
    // 2262) and saturates beyond: a time outside that would be set wrong, so the entry is
    // restored and its time is not.
    if (n.mtimeSec() <= Long.MIN_VALUE / 1_000_000_000L || n.mtimeSec() >= Long.MAX_VALUE / 1_000_000_000L) {
      warnings.accept(snapshot + ": inode " + n.ino() + ": modification time " + n.mtimeSec()
          + " s is out of range; not restored");
      return;
    }
    java.time.Instant mtime = java.time.Instant.ofEpochSecond(n.mtimeSec(), n.mtimeNsec());
    Files.getFileAttributeView(p, BasicFileAttributeView.class, NOFOLLOW).setTimes(FileTime.from(mtime), null, null);
  }

  /** The stored owner, as root only (an ordinary user cannot give files away). */
  private void chown(Inode n, Path p) throws IOException {
    if (root) {
      Files.setAttribute(p, "unix:uid", n.uid(), NOFOLLOW);
      Files.setAttribute(p, "unix:gid", n.gid(), NOFOLLOW);
    }
  }

  /** user.* through Java; other namespaces through setfattr, which Java cannot reach. */
  private void restoreXattrs(Inode n, Path p) throws IOException {
    Map<String, byte[]> x = tree.xattrs(n);
    if (x.isEmpty()) {
      return;
    }
    UserDefinedFileAttributeView v = Files.getFileAttributeView(p, UserDefinedFileAttributeView.class, NOFOLLOW);
    for (Map.Entry<String, byte[]> e : x.entrySet()) {
      if (e.getKey().startsWith("user.")) {
        v.write(e.getKey().substring(5), ByteBuffer.wrap(e.getValue()));
      } else if (!HostTools.setOtherXattr(p, e.getKey(), e.getValue())) {
        warnings.accept(p + ": xattr " + e.getKey() + " not restored (setfattr failed or is missing)");
      }
    }
  }
}
