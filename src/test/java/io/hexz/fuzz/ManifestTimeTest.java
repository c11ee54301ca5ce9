package io.hexz.fuzz;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hexz.Hexz;
import io.hexz.codec.CodecType;
import io.hexz.format.CorruptSnapshotException;
import io.hexz.format.StreamKind;
import io.hexz.read.Snapshot;
import io.hexz.read.Tree;
import io.hexz.testing.QuietHexzLog;
import io.hexz.testing.Snaps;
import io.hexz.write.Profile;
import io.hexz.write.SnapshotWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Found by TreeManifestFuzzTest: an inode whose mtimeSec lies beyond java.time.Instant's range
 * made extract throw DateTimeException (not an IOException). Such an inode is a damaged manifest.
 */
@ExtendWith(QuietHexzLog.class)
class ManifestTimeTest {
  @TempDir
  Path dir;

  @Test
  void anMtimeBeyondInstantsRangeIsADamagedManifest() throws Exception {
    Path src = Files.createDirectories(dir.resolve("src"));
    Files.write(src.resolve("f"), "x".getBytes(StandardCharsets.US_ASCII));
    Path good = dir.resolve("good.hxz");
    Hexz.build(src, good, Profile.GENERIC, b -> b.blockSize(4096).created(Snaps.CREATED).threads(1), null);
    byte[] disk;
    byte[] manifest;
    try (Snapshot s = Hexz.open(good, Images.OPTIONS)) {
      disk = Snaps.readAll(s.disk(), 1 << 16);
      manifest = Snaps.readAll(s.stream(StreamKind.MANIFEST).orElseThrow(), 1 << 16);
    }
    Mutator.le(manifest).putLong(64 + 64 + 24, Long.MAX_VALUE); // inode 2 (the file): mtimeSec
    Path bad = dir.resolve("bad.hxz");
    try (SnapshotWriter w = Hexz.create(bad, Images.options(CodecType.LZ4).build())) {
      w.addBytes(StreamKind.DISK, disk);
      w.addBytes(StreamKind.MANIFEST, manifest);
      w.finish();
    }
    try (Snapshot s = Hexz.open(bad, Images.OPTIONS)) {
      Tree t = s.tree().orElseThrow();
      CorruptSnapshotException e = assertThrows(CorruptSnapshotException.class, () -> t.stat(2));
      assertTrue(e.getMessage().contains("bad.hxz") && e.getMessage().contains("inode 2"), e.getMessage());
      Path out = dir.resolve("out");
      assertThrows(CorruptSnapshotException.class, () -> Hexz.extract(s, List.of(), out, w -> { }));
    }
  }
}
