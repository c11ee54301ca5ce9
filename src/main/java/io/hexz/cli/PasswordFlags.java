package io.hexz.cli;

import io.hexz.crypto.Secret;
import java.io.IOException;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * Where the password of encrypted snapshots comes from (a picocli mixin). There is deliberately no
 * option that takes the password itself: a command line is visible to every user in ps and
 * /proc, and lands in shell history.
 */
final class PasswordFlags {
  @Option(names = "--password-file", paramLabel = "FILE",
      description = "the password of encrypted snapshots: the first line of FILE")
  Path file;

  @Option(names = "--password-env", paramLabel = "VAR",
      description = "the password of encrypted snapshots: the value of environment variable VAR")
  String env;

  boolean given() {
    return file != null || env != null;
  }

  /** The password, or null if no option was given; the caller closes (wipes) it. */
  Secret read() throws IOException {
    if (file != null && env != null) {
      throw new Errors.UsageException("--password-file and --password-env exclude each other");
    }
    if (file != null) {
      return Secret.fromFile(file);
    }
    if (env != null) {
      String v = System.getenv(env);
      if (v == null || v.isEmpty()) {
        throw new Errors.UsageException("--password-env " + env + ": the variable is not set or empty");
      }
      return Secret.of(v.toCharArray());
    }
    return null;
  }

  /**
   * Opens {@code snap} with {@code ro} plus this password and {@code publicKey}'s key; the
   * password is wiped once every layer is open (their keys are derived by then).
   */
  io.hexz.read.Snapshot open(String snap, io.hexz.read.ReadOptions ro, PublicKeyFlag publicKey) throws IOException {
    try (Secret pw = read()) {
      return io.hexz.Hexz.open(snap, ro.withPassword(pw).withPublicKey(publicKey.read()));
    }
  }
}
