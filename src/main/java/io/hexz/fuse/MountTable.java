package io.hexz.fuse;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads /proc/self/mountinfo. Reading it never touches a mounted file system, so it cannot hang
 * on a stuck FUSE daemon. Stateless.
 */
public final class MountTable {
  private MountTable() {}

  /** One mount: mount point, file system type and source as the kernel lists them. */
  public record Entry(String mountPoint, String fsType, String source) {}

  /** FUSE mounts whose mount point is {@code mnt}, bottom to top. */
  public static List<Entry> fuseMountsAt(Path mnt) {
    String want = mnt.toAbsolutePath().normalize().toString();
    List<Entry> out = new ArrayList<>();
    List<String> lines;
    try {
      lines = Files.readAllLines(Path.of("/proc/self/mountinfo"));
    } catch (IOException e) {
      return out;
    }
    for (String line : lines) {
      // ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTIONS [OPTIONAL...] - FSTYPE SOURCE SUPEROPTIONS
      int dash = line.indexOf(" - ");
      if (dash < 0) {
        continue;
      }
      String[] f = line.substring(0, dash).split(" ");
      String[] g = line.substring(dash + 3).split(" ");
      if (f.length < 5 || g.length < 2) {
        continue;
      }
      if (unescape(f[4]).equals(want) && g[0].startsWith("fuse")) {
        out.add(new Entry(want, g[0], unescape(g[1])));
      }
    }
    return out;
  }

  /** Whether a FUSE file system is mounted at {@code mnt}. */
  public static boolean isFuseMounted(Path mnt) {
    return !fuseMountsAt(mnt).isEmpty();
  }

  /** mountinfo writes space, tab, newline and backslash as \ooo. */
  static String unescape(String s) {
    if (s.indexOf('\\') < 0) {
      return s;
    }
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '\\' && i + 3 < s.length()) {
        b.append((char) Integer.parseInt(s.substring(i + 1, i + 4), 8));
        i += 3;
      } else {
        b.append(c);
      }
    }
    return b.toString();
  }
}
