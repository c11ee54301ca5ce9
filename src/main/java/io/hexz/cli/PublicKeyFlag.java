package io.hexz.cli;

import io.hexz.crypto.Signatures;
import java.io.IOException;
import java.nio.file.Path;
import java.security.PublicKey;
import picocli.CommandLine.Option;

/** The {@code --public-key} option of commands that read snapshots (a picocli mixin). */
final class PublicKeyFlag {
  @Option(names = "--public-key", paramLabel = "KEY.pub",
      description = "accept only snapshots signed by this Ed25519 key (PEM) and check every block read against"
          + " its signed SHA-256")
  Path file;

  /** The key, or null when the option is absent. */
  PublicKey read() throws IOException {
    return file == null ? null : Signatures.readPublic(file);
  }
}
