package io.hexz.format;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * Exact name bytes of local paths, and paths from name bytes. Java decodes file names with the
 * platform charset, which loses bytes that are not valid in it; a path's URI, however,
 * percent-encodes the raw bytes the kernel returned, and a file URI decodes back to them. Names in
 * a directory snapshot are bytes, so building and extracting go through here. Stateless.
 */
public final class PathNames {
  private PathNames() {}

  /** The exact bytes of {@code p}'s last component. */
  public static byte[] lastName(Path p) {
    String s = p.getFileName().toString();
    if (isPlainAscii(s)) {
      return s.getBytes(StandardCharsets.US_ASCII);
    }
    String raw = p.toUri().getRawPath();
    if (raw.endsWith("/")) {
      raw = raw.substring(0, raw.length() - 1);
    }
    return percentDecode(raw.substring(raw.lastIndexOf('/') + 1));
  }

  /** The exact bytes of {@code p} made absolute and normalized. */
  public static byte[] absoluteBytes(Path p) {
    String raw = p.toAbsolutePath().normalize().toUri().getRawPath();
    if (raw.length() > 1 && raw.endsWith("/")) {
      raw = raw.substring(0, raw.length() - 1);
    }
    return percentDecode(raw);
  }

  private static byte[] percentDecode(String raw) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (int i = 0; i < raw.length(); i++) {
      char c = raw.charAt(i);
      if (c == '%' && i + 2 < raw.length()) {
        out.write(Integer.parseInt(raw.substring(i + 1, i + 3), 16));
        i += 2;
      } else {
        out.write(c);
      }
    }
    return out.toByteArray();
  }

  /** The path below {@code dir} whose last component is exactly {@code name} (no '/' or NUL in it). */
  public static Path child(Path dir, byte[] name) {
    String plain = new String(name, StandardCharsets.ISO_8859_1);
    if (isPlainAscii(plain) && plain.indexOf('/') < 0) {
      return dir.resolve(plain);
    }
    StringBuilder sb = new StringBuilder(dir.toAbsolutePath().toUri().getRawPath());
    if (sb.charAt(sb.length() - 1) != '/') {
      sb.append('/');
    }
    for (byte b : name) {
      int c = b & 0xFF;
      if (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '-' || c == '_') {
        sb.append((char) c);
      } else {
        sb.append('%').append(String.format("%02X", c));
      }
    }
    return Path.of(URI.create("file://" + sb));
  }

  private static boolean isPlainAscii(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < 0x20 || c >= 0x7F) {
        return false;
      }
    }
    return true;
  }
}
