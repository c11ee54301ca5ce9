package io.hexz.cli;

import io.hexz.Hexz;
import io.hexz.crypto.Secret;
import io.hexz.crypto.Signatures;
import io.hexz.format.Checksums;
import io.hexz.format.SignatureInfo;
import io.hexz.read.ReadOptions;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code hexz sign SNAP --key KEY}: signs a snapshot in place (atomically). */
@Command(name = "sign", mixinStandardHelpOptions = true,
    description = "Sign a snapshot with an Ed25519 key: covers the header, metadata and every block's SHA-256."
        + " The file is replaced atomically.")
final class SignCommand implements Callable<Integer> {
  @Parameters(paramLabel = "SNAP", description = "a local .hxz snapshot")
  Path snap;

  @Option(names = "--key", paramLabel = "KEY", required = true, description = "Ed25519 private key (PEM, from keygen)")
  Path key;

  @picocli.CommandLine.Mixin
  PasswordFlags passwords;

  @picocli.CommandLine.Mixin
  ParentDirs parentDirs;

  @Option(names = "--debug", description = "stack traces on errors")
  boolean debug;

  @Override
  public Integer call() throws Exception {
    if (!Files.exists(snap)) {
      throw new NoSuchFileException(snap.toString());
    }
    var k = Signatures.readPrivate(key);
    SignatureInfo s;
    try (Secret pw = passwords.read()) {
      s = Hexz.sign(snap, k, ReadOptions.DEFAULTS.withParentDirs(parentDirs.get()).withPassword(pw));
    }
    System.out.printf("%s: signed with Ed25519 key %s%n", snap, Checksums.hex(s.fingerprint()));
    return 0;
  }
}
