package io.hexz.read;

import io.hexz.format.PathNames;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Every program the directory-snapshot code runs on the host, and the quirks of the JDK they work
 * around: Java's attribute API writes only {@code user.*} xattrs (setfattr) and reads only those
 * (getfattr, in {@code write.OtherXattrs}); it normalizes symlink targets and decodes them in the
 * JVM's charset (ln, find); and its setters open a file to set its mode or time, which blocks on a
 * fifo (mknod -m, touch -h). Programs run with their output discarded; a missing program is a
 * failure the caller reports. Also what the process is on this host: root or not, its umask.
 * Stateless.
 */
public final class HostTools {
  private HostTools() {}

  /** This process's umask (Linux reports it in /proc/self/status); 022 if it cannot be read. */
  static int umask() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"), StandardCharsets.US_ASCII)) {
        if (line.startsWith("Umask:")) {
          return Integer.parseInt(line.substring(6).trim(), 8) & 0777;
        }
      }
    } catch (IOException | RuntimeException e) {
      // fall through to the common default
    }
    return 022;
  }

  /** Whether this process runs as root (a stat of /proc/self, which follows the link to this process). */
  static boolean isRoot() {
    try {
      return ((Number) Files.getAttribute(Path.of("/proc/self"), "unix:uid")).longValue() == 0;
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  /** Starts a tool in the C locale (its stderr discarded), or returns null when it is not installed. */
  public static Process startInC(String... cmd) {
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.environment().put("LC_ALL", "C");
    pb.redirectError(ProcessBuilder.Redirect.DISCARD);
    try {
      return pb.start();
    } catch (IOException e) {
      return null;
    }
  }

  /** Runs {@code cmd} with its output discarded; whether it exited 0. */
  static boolean run(List<String> cmd) throws IOException, InterruptedException {
    Process pr = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    return pr.waitFor() == 0;
  }

  /**
   * Makes a fifo ({@code type} 'p') or a character or block device ('c', 'b') for the device
   * number {@code rdev}, with {@code mode}; whether mknod succeeded.
   */
  static boolean mknod(Path p, int mode, char type, long rdev) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of("mknod", "-m", Integer.toOctalString(mode), p.toString(),
        String.valueOf(type)));
    if (type != 'p') {
      // glibc's gnu_dev_major/minor encoding of dev_t
      long major = ((rdev >>> 8) & 0xfff) | ((rdev >>> 32) & ~0xfffL);
      long minor = (rdev & 0xff) | ((rdev >>> 12) & ~0xffL);
      cmd.add(Long.toString(major));
      cmd.add(Long.toString(minor));
    }
    return run(cmd);
  }

  /**
   * Sets the modification time of {@code p} (a symlink itself, not its target) by path, so a
   * fifo is not opened; whether touch succeeded.
   */
  static boolean touchMtime(Path p, long sec, int nsec) throws IOException {
    try {
      return run(List.of("touch", "-h", "-m", "-d", "@" + sec + "." + String.format("%09d", nsec), p.toString()));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new java.io.InterruptedIOException("interrupted while restoring " + p);
    }
  }

  /** security.*, trusted.*, system.* need setfattr: Java's API writes user.* only. */
  static boolean setOtherXattr(Path p, String name, byte[] value) {
    try {
      return run(List.of("setfattr", "-h", "-n", name, "-v", "0x" + java.util.HexFormat.of().formatHex(value),
          p.toString()));
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /**
   * A symlink holding exactly {@code target}. Java takes a target as a path in the JVM's charset
   * and normalizes it ("a//b/" becomes "a/b"), so any target that would not survive that is made
   * by ln(1), with both byte strings passed as printf escapes.
   */
  static void symlink(Path link, byte[] target) throws IOException {
    String s = new String(target, StandardCharsets.UTF_8);
    if (java.util.Arrays.equals(s.getBytes(StandardCharsets.UTF_8), target) && Path.of(s).toString().equals(s)) {
      Files.createSymbolicLink(link, Path.of(s));
      return;
    }
    // $(...) drops trailing newlines, so each value carries a final x that is cut off again.
    String script = "t=$(printf '%bx' \"$1\") && l=$(printf '%bx' \"$2\") && exec ln -s -- \"${t%x}\" \"${l%x}\"";
    try {
      if (!run(List.of("sh", "-c", script, "sh", octalEscapes(target), octalEscapes(PathNames.absoluteBytes(link))))) {
        throw new FileSystemException(link.toString(), null, "ln -s failed for a symlink target Java cannot pass as is");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new java.io.InterruptedIOException("interrupted while creating " + link);
    }
  }

  /** Bytes as printf %b reads them: letters and digits as is, every other byte as \0ooo. */
  private static String octalEscapes(byte[] b) {
    StringBuilder sb = new StringBuilder(b.length * 2);
    for (byte x : b) {
      int c = x & 0xFF;
      if (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
        sb.append((char) c);
      } else {
        sb.append(String.format("\\0%03o", c));
      }
    }
    return sb.toString();
  }
}
