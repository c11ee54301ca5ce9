package io.hexz.write;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.EnumSet;
import java.util.Set;

/**
 * The mode of a new snapshot file: what {@code creat(0666)} gives under the process's umask (as
 * cp, tar and every editor make data files), narrowed to a limit such as the source's mode, so a
 * snapshot of a private disk is private too. Stateless.
 */
final class FileModes {
  private FileModes() {}

  /** Sets {@code file}'s mode to {@code rw-rw-rw-} less the umask, within {@code max} (if not null). */
  static void apply(Path file, Set<PosixFilePermission> max) throws IOException {
    Set<PosixFilePermission> mode = EnumSet.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE,
        PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_WRITE, PosixFilePermission.OTHERS_READ,
        PosixFilePermission.OTHERS_WRITE);
    mode.removeAll(fromBits(umask()));
    if (max != null) {
      Set<PosixFilePermission> allowed = EnumSet.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
      allowed.addAll(max);
      mode.retainAll(allowed);
    }
    try {
      Files.setPosixFilePermissions(file, mode);
    } catch (UnsupportedOperationException ignored) {
      // not a POSIX file system: it has its own rules
    }
  }

  /**
   * The process's umask, from /proc/self/status (Java has no call for it; reading it does not
   * change it, unlike umask(2)). 077 where it cannot be read: never wider than the umask allows.
   */
  static int umask() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("Umask:")) {
          return Integer.parseInt(line.substring(6).trim(), 8);
        }
      }
    } catch (IOException | RuntimeException ignored) {
      // no procfs, or an older kernel without the field
    }
    return 077;
  }

  /** The permissions set in the low nine bits of a mode. */
  static Set<PosixFilePermission> fromBits(int bits) {
    Set<PosixFilePermission> out = EnumSet.noneOf(PosixFilePermission.class);
    PosixFilePermission[] order = PosixFilePermission.values(); // OWNER_READ .. OTHERS_EXECUTE
    for (int i = 0; i < 9; i++) {
      if ((bits & (0400 >> i)) != 0) {
        out.add(order[i]);
      }
    }
    return out;
  }
}
