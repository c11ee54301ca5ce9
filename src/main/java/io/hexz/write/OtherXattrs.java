package io.hexz.write;

import io.hexz.read.HostTools;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * Extended attributes outside {@code user.*} (security.capability, POSIX ACLs, trusted.*), which
 * Java's attribute API cannot read: one {@code getfattr -R} over the tree, parsed. Only files that
 * have such attributes are kept. Stateless.
 */
final class OtherXattrs {
  private OtherXattrs() {}

  /** By escaped absolute path (getfattr's quoting); empty, with a warning, when getfattr is missing. */
  static Map<String, Map<String, byte[]>> load(Path root, Consumer<String> warnings) throws IOException {
    Process p = HostTools.startInC("getfattr", "-R", "-P", "-h", "-d", "-m", "-", "-e", "hex",
        "--absolute-names", root.toAbsolutePath().normalize().toString());
    if (p == null) {
      warnings.accept(root + ": getfattr not found (package attr): only user.* xattrs are kept");
      return Map.of();
    }
    Map<String, Map<String, byte[]>> out = new HashMap<>();
    try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.ISO_8859_1))) {
      String file = null;
      for (String line; (line = r.readLine()) != null; ) {
        if (line.startsWith("# file: ")) {
          file = line.substring(8);
        } else if (file != null && !line.isEmpty() && !line.startsWith("user.")) {
          int eq = line.indexOf('=');
          String name = eq < 0 ? line : line.substring(0, eq);
          String v = eq < 0 ? "" : line.substring(eq + 1);
          byte[] value = v.startsWith("0x") ? HexFormat.of().parseHex(v.substring(2))
              : v.replace("\"", "").getBytes(StandardCharsets.ISO_8859_1);
          out.computeIfAbsent(file, k -> new TreeMap<>()).put(name, value);
        }
      }
    }
    try {
      p.waitFor();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new java.io.InterruptedIOException("interrupted while reading xattrs of " + root);
    }
    return out;
  }

  /** A path as getfattr prints it (in the C locale): backslash and control bytes as \ooo, others raw. */
  static String escape(byte[] path) {
    StringBuilder sb = new StringBuilder();
    for (byte b : path) {
      int c = b & 0xFF;
      if (c == '\\' || c < 0x20 || c == 0x7F) {
        sb.append('\\').append(String.format("%03o", c));
      } else {
        sb.append((char) c);
      }
    }
    return sb.toString();
  }
}
