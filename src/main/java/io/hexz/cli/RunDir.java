package io.hexz.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/** Where mount processes leave their pid and log: /run/hexz, else the temp directory. Stateless. */
final class RunDir {
  private RunDir() {}

  static Path dir() throws IOException {
    Path run = Path.of("/run");
    Path d = Files.isWritable(run) ? run.resolve("hexz") : Path.of(System.getProperty("java.io.tmpdir"), "hexz-run");
    Files.createDirectories(d);
    return d;
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
