package io.hexz.cli;

import static io.hexz.cli.CliTest.hexz;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hexz.testing.Damage;
import io.hexz.testing.Seeds;
import io.hexz.testing.TestData;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * build --encrypt, inspect without a password, verify/analyze with the right and a wrong
 * password, keygen, sign and verify --public-key: exit codes and one-line errors.
 */
class CliCryptoTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  static Path dir;

  private static Path img;
  private static Path pw;
  private static Path enc;

  @BeforeAll
  static void build() throws Exception {
    img = Files.write(dir.resolve("disk.img"), TestData.mixed(600_000 + 3, 65536,
        new Random(Seeds.fixed(CliCryptoTest.class, 77))));
    pw = Files.writeString(dir.resolve("pw"), "hunter2 with spaces\n", StandardCharsets.UTF_8);
    enc = dir.resolve("enc.hxz");
    CliTest.Run r = hexz("build", "-q", "--encrypt", "--password-file", pw, "--kdf-memory", "256K",
        "--kdf-iterations", "1", "--meta", "owner=secret-owner", img, enc);
    assertEquals(0, r.code(), r.describe());
  }

  @Test
  void inspectShowsEncryptionWithoutThePassword() throws Exception {
    CliTest.Run r = hexz("inspect", "--json", enc);
    assertEquals(0, r.code(), r.describe());
    JsonNode o = JSON.readTree(r.out());
    assertTrue(o.get("encrypted").asBoolean());
    assertEquals(256, o.get("encryption").get("memoryKiB").asInt());
    assertTrue(o.get("metadata").isNull());
    r = hexz("inspect", "--json", "--password-file", pw, enc);
    assertEquals("secret-owner", JSON.readTree(r.out()).get("metadata").get("user").get("owner").asText(),
        r.describe());
  }

  @Test
  void verifyNeedsTheRightPassword() throws Exception {
    assertEquals(0, hexz("verify", "--password-file", pw, enc).code());
    Path wrong = Files.writeString(dir.resolve("wrong"), "hunter3\n");
    CliTest.Run r = hexz("verify", "--password-file", wrong, enc);
    assertEquals(1, r.code(), r.describe());
    assertTrue(r.err().contains(enc + ": wrong password or damaged header"), r.describe());
    r = hexz("analyze", "--password-file", wrong, enc);
    assertEquals(1, r.code(), r.describe());
    assertEquals(List.of("hexz: " + enc + ": wrong password or damaged header"), r.errLines());
    r = hexz("analyze", enc);
    assertEquals(1, r.code());
    assertEquals(1, r.errLines().size(), r.describe());
    assertTrue(r.err().contains("is encrypted"), r.describe());
  }

  @Test
  void lsAndExtractOpenAnEncryptedDirectorySnapshotWithItsPassword() throws Exception {
    Path src = Files.createDirectories(dir.resolve("tree-src/sub"));
    Files.writeString(src.resolve("secret.txt"), "the launch codes\n");
    Path tree = dir.resolve("tree-enc.hxz");
    CliTest.Run r = hexz("build", "-q", "--encrypt", "--password-file", pw, "--kdf-memory", "256K",
        "--kdf-iterations", "1", dir.resolve("tree-src"), tree);
    assertEquals(0, r.code(), r.describe());
    for (String cmd : List.of("ls", "extract")) {
      Path dest = dir.resolve("out-none-" + cmd);
      r = cmd.equals("ls") ? hexz("ls", tree, "sub") : hexz("extract", "-q", tree, "-C", dest);
      assertEquals(1, r.code(), cmd + " without a password: " + r.describe());
      assertEquals(1, r.errLines().size(), r.describe());
      assertTrue(r.err().contains("encrypted"), r.describe());
      assertFalse(Files.exists(dest.resolve("sub/secret.txt")), cmd + " wrote a file without the password");
    }
    r = hexz("ls", "--password-file", pw, tree, "sub");
    assertEquals(0, r.code(), r.describe());
    assertEquals("secret.txt", r.out().strip(), r.describe());
    Path dest = dir.resolve("out-pw");
    r = hexz("extract", "-q", "--password-file", pw, tree, "-C", dest);
    assertEquals(0, r.code(), r.describe());
    assertEquals("the launch codes\n", Files.readString(dest.resolve("sub/secret.txt")));
    Path wrong = Files.writeString(dir.resolve("wrong-tree"), "hunter3\n");
    r = hexz("ls", "--password-file", wrong, tree);
    assertEquals(1, r.code(), r.describe());
    assertEquals(List.of("hexz: " + tree + ": wrong password or damaged header"), r.errLines());
  }

  @Test
  void flattenKeepsItEncryptedAndDiffReadsIt() throws Exception {
    Path flat = dir.resolve("flat.hxz");
    assertEquals(1, hexz("flatten", "-q", enc, "-o", flat).code(), "an encrypted source needs its password");
    CliTest.Run r = hexz("flatten", "-q", "--password-file", pw, enc, "-o", flat);
    assertEquals(0, r.code(), r.describe());
    assertTrue(JSON.readTree(hexz("inspect", "--json", flat).out()).get("encrypted").asBoolean());
    r = hexz("diff", "--password-file", pw, enc, flat);
    assertEquals(0, r.code(), r.describe());
  }

  @Test
  void aThinBuildOverAnEncryptedParentNeedsEncrypt() throws Exception {
    Path thin = dir.resolve("thin-clear.hxz");
    CliTest.Run r = hexz("build", "-q", "--parent", enc, "--password-file", pw, img, thin);
    assertEquals(2, r.code(), r.describe());
    assertEquals(List.of("hexz: --parent " + enc + " is encrypted: a thin snapshot of it needs --encrypt"),
        r.errLines());
    assertFalse(Files.exists(thin));
    r = hexz("build", "-q", "--parent", enc, "--encrypt", "--password-file", pw, "--kdf-memory", "256K",
        "--kdf-iterations", "1", img, thin);
    assertEquals(0, r.code(), r.describe());
    assertTrue(JSON.readTree(hexz("inspect", "--json", thin).out()).get("encrypted").asBoolean());
  }

  @Test
  void thereIsNoPasswordOnTheCommandLine() {
    CliTest.Run r = hexz("verify", "--password", "hunter2", enc);
    assertEquals(2, r.code(), r.describe());
  }

  @Test
  void keygenSignAndVerifyWithThePublicKey() throws Exception {
    Path key = dir.resolve("key");
    CliTest.Run r = hexz("keygen", "-o", key);
    assertEquals(0, r.code(), r.describe());
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(key)));
    assertTrue(Files.readString(key).startsWith("-----BEGIN PRIVATE KEY-----"));
    Path pub = dir.resolve("key.pub");
    assertTrue(Files.readString(pub).startsWith("-----BEGIN PUBLIC KEY-----"));
    assertEquals(1, hexz("keygen", "-o", key).code(), "an existing key is never replaced");
    Path other = dir.resolve("other");
    assertEquals(0, hexz("keygen", "-o", other).code());

    Path s = dir.resolve("signed.hxz");
    Files.copy(enc, s);
    assertEquals(1, hexz("verify", "--password-file", pw, "--public-key", pub, s).code(), "unsigned");
    r = hexz("sign", s, "--key", key);
    assertEquals(1, r.code(), "signing an encrypted snapshot needs its password");
    r = hexz("sign", s, "--key", key, "--password-file", pw);
    assertEquals(0, r.code(), r.describe());
    r = hexz("verify", "--password-file", pw, "--public-key", pub, s);
    assertEquals(0, r.code(), r.describe());
    assertEquals(1, hexz("verify", "--password-file", pw, "--public-key", dir.resolve("other.pub"), s).code());
    Path bad = Damage.flipBit(s, dir.resolve("tampered.hxz"), Files.size(s) / 2, 1);
    assertEquals(1, hexz("verify", "--password-file", pw, "--public-key", pub, bad).code());
    JsonNode o = JSON.readTree(hexz("inspect", "--json", s).out());
    assertTrue(o.get("signed").asBoolean());
    assertFalse(o.get("signatureKeyFingerprint").asText().isEmpty());
  }
}
