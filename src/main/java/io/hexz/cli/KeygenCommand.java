package io.hexz.cli;

import io.hexz.crypto.Signatures;
import io.hexz.format.Checksums;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code hexz keygen -o KEY}: a new Ed25519 key pair, KEY (private, mode 600) and KEY.pub. */
@Command(name = "keygen", mixinStandardHelpOptions = true,
    description = "Make an Ed25519 key pair for signing: KEY (PKCS#8 PEM, readable only by you) and KEY.pub (X.509 PEM).")
final class KeygenCommand implements Callable<Integer> {
  @Option(names = {"-o", "--output"}, paramLabel = "KEY", required = true, description = "private key file to create")
  Path key;

  @Option(names = "--debug", description = "stack traces on errors")
  boolean debug;

  @Override
  public Integer call() throws Exception {
    Path pub = key.resolveSibling(key.getFileName() + ".pub");
    KeyPair kp = Signatures.generate();
    // Created owner-only before a byte is written (CREATE_NEW: an existing key is never replaced).
    try (var out = Files.newByteChannel(key, java.util.Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))) {
      byte[] pem = Signatures.pem(kp.getPrivate()).getBytes(StandardCharsets.US_ASCII);
      out.write(java.nio.ByteBuffer.wrap(pem));
      java.util.Arrays.fill(pem, (byte) 0);
    }
    Files.writeString(pub, Signatures.pem(kp.getPublic()), StandardCharsets.US_ASCII, StandardOpenOption.CREATE_NEW,
        StandardOpenOption.WRITE);
    System.out.printf("%s: Ed25519 private key; %s: public key (fingerprint %s)%n", key, pub,
        Checksums.hex(Signatures.fingerprint(kp.getPublic())));
    return 0;
  }
}
