package io.hexz;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hexz.codec.CodecType;
import io.hexz.format.Format;
import io.hexz.format.ParentException;
import io.hexz.read.ReadOptions;
import io.hexz.read.Snapshot;
import io.hexz.read.Snapshots;
import io.hexz.testing.Crc32cForger;
import io.hexz.testing.Damage;
import io.hexz.testing.QuietHexzLog;
import io.hexz.testing.Secrets;
import io.hexz.testing.Seeds;
import io.hexz.testing.Snaps;
import io.hexz.testing.TestData;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * An encrypted thin snapshot takes from a clear parent only bytes its own authenticated header
 * vouches for: a clear file of other data with the recorded identity written into its header is
 * refused wherever it is found, and a real parent's block forged past its CRCs is refused at the
 * block. Chains: encrypted child over a clear parent over a clear grandparent.
 */
@ExtendWith(QuietHexzLog.class)
class ThinParentTrustTest {
  private static final long SEED = Seeds.fixed(ThinParentTrustTest.class, 0x7A_57_ED_01L);
  private static final int BS = 4096;
  private static final int BLOCKS = 12;

  @TempDir
  Path dir;
  private byte[] child;
  private Path base;
  private Path mid;
  private Path top;

  private static ReadOptions withPassword() {
    return Secrets.read(ReadOptions.DEFAULTS.withCacheBytes(1 << 20), Secrets.PASSWORD);
  }

  /** grand (clear) ← base (clear, thin, block 9 changed) ← top (encrypted, thin, block 7 changed). */
  @BeforeEach
  void chain() throws IOException {
    Random rnd = new Random(SEED);
    byte[] grand = TestData.random(BLOCKS * BS, rnd);
    byte[] parent = grand.clone();
    System.arraycopy(TestData.random(BS, rnd), 0, parent, 9 * BS, BS);
    child = parent.clone();
    System.arraycopy(TestData.random(BS, rnd), 0, child, 7 * BS, BS);
    mid = dir.resolve("grand.hxz");
    Snaps.write(mid, Snaps.options(BS, CodecType.NONE, 0, false).build(), grand);
    base = dir.resolve("base.hxz");
    Snaps.write(base, Snaps.options(BS, CodecType.NONE, 0, false).parent(mid).build(), parent);
    top = dir.resolve("top.hxz");
    Snaps.write(top, Secrets.encrypt(Snaps.options(BS, CodecType.LZ4, 0, true), Secrets.PASSWORD).parent(base)
        .build(), child);
    try (Snapshot s = Hexz.open(top, withPassword())) {
      assertArrayEquals(child, Snaps.readAll(s.disk(), 3 * BS), "the honest chain reads back");
    }
  }

  @Test
  void aClearParentWithAPatchedIdentityIsRefused() throws Exception {
    Path evil = dir.resolve("evil.hxz");
    Snaps.write(evil, Snaps.options(BS, CodecType.NONE, 0, false).build(),
        TestData.random(BLOCKS * BS, new Random(SEED + 1)));
    byte[] id = Snapshots.readHeader(base).identity();
    Path forged = Damage.editHeader(evil, dir.resolve("forged.hxz"), b -> b.put(48, id));
    // at the hint path
    Files.move(forged, base, StandardCopyOption.REPLACE_EXISTING);
    ParentException e = assertThrows(ParentException.class, () -> Hexz.open(top, withPassword()).close());
    assertTrue(e.getMessage().contains("not its content"), e.getMessage());
    // and in a --parent-dir
    Path dirs = Files.createDirectories(dir.resolve("parents"));
    Files.move(base, dirs.resolve("base.hxz"));
    e = assertThrows(ParentException.class, () -> Hexz.open(top, withPassword().withParentDirs(List.of(dirs))).close());
    assertTrue(e.getMessage().contains("not its content"), e.getMessage());
  }

  @Test
  void aForgedBlockOfAClearParentOrGrandparentIsRefusedAtTheBlock() throws Exception {
    // Payloads of a clear NONE snapshot lie in block order right after the header: the parent's
    // only one is its block 9; the grandparent's block 3 reaches the child through two PARENT
    // entries.
    Files.write(base, Crc32cForger.forgeRawBlock(Files.readAllBytes(base), Format.HEADER_SIZE, BS));
    Files.write(mid, Crc32cForger.forgeRawBlock(Files.readAllBytes(mid), Format.HEADER_SIZE + 3L * BS, BS));
    try (Snapshot s = Hexz.open(top, withPassword())) {
      for (int b : new int[] {3, 9}) {
        long at = (long) b * BS;
        IOException e = assertThrows(IOException.class, () -> s.disk().read(ByteBuffer.allocate(BS), at),
            "block " + b + " was served forged bytes");
        assertTrue(e.getMessage().contains("authenticated SHA-256"), e.getMessage());
      }
      ByteBuffer ok = ByteBuffer.allocate(BS);
      s.disk().read(ok, 4L * BS);
      assertArrayEquals(Arrays.copyOfRange(child, 4 * BS, 5 * BS), ok.array());
    }
  }
}
