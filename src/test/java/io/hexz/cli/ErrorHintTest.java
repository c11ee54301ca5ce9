package io.hexz.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hexz.Hexz;
import io.hexz.format.ParentNotFoundException;
import io.hexz.format.PasswordRequiredException;
import io.hexz.fuse.MountOptions;
import io.hexz.fuse.ReadOnlySourceException;
import io.hexz.fuse.SnapshotMount;
import io.hexz.read.ReadOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Library exceptions name no command-line flag; the CLI's error line adds the flag that helps,
 * from the exception's type, so users see the same line as when the library spelled it out.
 */
class ErrorHintTest {
  @Test
  void aRestrictedAddressNamesAllowRestricted() {
    String url = "http://127.0.0.1:9/snap.hxz";
    CliTest.Run r = CliTest.hexz("cat", url);
    assertEquals(1, r.code(), r.describe());
    assertEquals(List.of("hexz: " + url + ": refused: 127.0.0.1 resolves to a restricted address (127.0.0.1);"
        + " pass --allow-restricted to allow it"), r.errLines());
  }

  @Test
  void aWritableMountOfAReadOnlySourceNamesRw(@TempDir Path dir) throws Exception {
    Path tree = Files.createDirectories(dir.resolve("tree"));
    Files.writeString(tree.resolve("f"), "x");
    Path snap = dir.resolve("tree.hxz");
    assertEquals(0, CliTest.hexz("build", "-q", "--profile", "generic", tree, snap).code());
    Path overlay = dir.resolve("o.ovl");
    CliTest.Run r = CliTest.hexz("mount", "--foreground", "--rw", "--overlay", overlay, snap, dir.resolve("mnt"));
    assertEquals(1, r.code(), r.describe());
    assertEquals(List.of("hexz: " + snap + ": a directory snapshot mounts read-only (no --rw)"), r.errLines());
    r = CliTest.hexz("mount", "--foreground", "--rw", "--overlay", overlay, tree, dir.resolve("mnt"));
    assertEquals(1, r.code(), r.describe());
    assertEquals(List.of("hexz: --rw mounts one snapshot, not a directory of them"), r.errLines());

    // The library says the same without naming a flag.
    MountOptions rw = MountOptions.builder().overlay(overlay).build();
    for (Path source : List.of(snap, tree)) {
      ReadOnlySourceException e = assertThrows(ReadOnlySourceException.class,
          () -> SnapshotMount.mount(source.toString(), dir.resolve("mnt"), rw));
      assertEquals(source.toString(), e.getFile());
      assertFalse(e.getMessage().contains("--"), e.getMessage());
    }
    assertFalse(Files.exists(overlay), "nothing was created");
  }

  @Test
  void aMissingParentNamesParentDir(@TempDir Path dir) throws Exception {
    Path img = Files.write(dir.resolve("in.img"), new byte[200_000]);
    Path base = dir.resolve("base.hxz");
    Path thin = dir.resolve("thin.hxz");
    assertEquals(0, CliTest.hexz("build", "-q", img, base).code());
    byte[] changed = new byte[200_000];
    changed[0] = 1; // other content than the parent's
    Path img2 = Files.write(dir.resolve("in2.img"), changed);
    assertEquals(0, CliTest.hexz("build", "-q", img2, thin, "--parent", base).code());
    Path elsewhere = Files.createDirectories(dir.resolve("elsewhere"));
    Files.move(base, elsewhere.resolve("base.hxz"));
    CliTest.Run r = CliTest.hexz("cat", thin);
    assertEquals(1, r.code(), r.describe());
    assertEquals(1, r.errLines().size(), r.describe());
    String line = r.errLines().get(0);
    assertTrue(line.startsWith("hexz: " + thin + ": parent snapshot "), line);
    assertTrue(line.endsWith("not found; looked at: " + base + " (missing); --parent-dir DIR looks for it in DIR too"),
        line);
    ParentNotFoundException e = assertThrows(ParentNotFoundException.class, () -> Hexz.open(thin, ReadOptions.UNCACHED));
    assertFalse(e.getMessage().contains("--"), e.getMessage());
    assertEquals(0, CliTest.hexz("cat", thin, "--parent-dir", elsewhere, "--length", "1").code(),
        "the hint is what helps");
  }

  @Test
  void anEncryptedSnapshotWithoutAPasswordNamesThePasswordFlags(@TempDir Path dir) throws Exception {
    Path img = Files.write(dir.resolve("in.img"), new byte[100_000]);
    Path pw = Files.writeString(dir.resolve("pw"), "hunter2\n");
    Path enc = dir.resolve("enc.hxz");
    assertEquals(0, CliTest.hexz("build", "-q", "--encrypt", "--password-file", pw, "--kdf-memory", "256K", img, enc)
        .code());
    CliTest.Run r = CliTest.hexz("cat", enc);
    assertEquals(1, r.code(), r.describe());
    assertEquals(List.of("hexz: " + enc + ": is encrypted: a password is needed (--password-file FILE or "
        + "--password-env VAR)"), r.errLines());
    PasswordRequiredException e = assertThrows(PasswordRequiredException.class,
        () -> Hexz.open(enc, ReadOptions.UNCACHED));
    assertEquals(enc.toString(), e.getFile());
    assertFalse(e.getMessage().contains("--"), e.getMessage());
  }

  @Test
  void otherExceptionsGetNoHint() {
    assertEquals("", Errors.hint(new java.io.IOException("x")));
    assertEquals("x", Errors.describe(new java.io.IOException("x")));
  }
}
