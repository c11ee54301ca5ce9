package io.hexz.write;

import io.hexz.read.HostTools;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * Exact symlink target bytes for a tree, from one {@code find -printf}. Java hands a target back
 * as a path, decoded in the JVM's charset and normalized (a byte that is not valid there becomes
 * U+FFFD; "a//b/" becomes "a/b"), so a builder falls back to this when a target's length differs
 * from the link's lstat size. Stateless.
 */
final class RawLinks {
  private RawLinks() {}

  /** Target bytes by absolute path bytes (ISO-8859-1 string of the bytes), of every symlink below root. */
  static Map<String, byte[]> load(Path root) throws IOException {
    String top = root.toAbsolutePath().normalize().toString();
    Process p = HostTools.startInC("find", top, "-type", "l", "-printf", "%p\\0%l\\0");
    if (p == null) {
      throw new FileSystemException(top, null, "a symlink target is not valid in the JVM's charset, and find(1) to read it exactly is missing");
    }
    Map<String, byte[]> out = new HashMap<>();
    try (InputStream in = p.getInputStream()) {
      ByteArrayOutputStream field = new ByteArrayOutputStream();
      String path = null;
      for (int b; (b = in.read()) >= 0; ) {
        if (b != 0) {
          field.write(b);
          continue;
        }
        if (path == null) {
          path = field.toString(StandardCharsets.ISO_8859_1);
        } else {
          out.put(path, field.toByteArray());
          path = null;
        }
        field.reset();
      }
    }
    try {
      if (p.waitFor() != 0) {
        throw new FileSystemException(top, null, "find(1) failed while reading symlink targets exactly");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while reading symlink targets of " + top);
    }
    return out;
  }
}
