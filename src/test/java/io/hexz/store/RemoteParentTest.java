package io.hexz.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.hexz.codec.CodecType;
import io.hexz.read.ReadOptions;
import io.hexz.read.Snapshot;
import io.hexz.read.Snapshots;
import io.hexz.testing.Damage;
import io.hexz.testing.Seeds;
import io.hexz.testing.Snaps;
import io.hexz.testing.TestData;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A thin snapshot's parent is opened once: the object whose header was checked against the
 * child's record is the one read. A server that answers a second request for the parent with
 * another object (new ETag) gets no second open to answer, so the child reads back exactly.
 */
class RemoteParentTest {
  private static final long SEED = Seeds.fixed(RemoteParentTest.class, 0x5A_AB_00_02L);
  private static final int BS = 4096;

  @TempDir
  Path dir;

  @Test
  void aParentSwappedAfterItWasCheckedIsNeverRead() throws Exception {
    Random rnd = new Random(SEED);
    byte[] base = TestData.random(8 * BS, rnd);
    byte[] child = base.clone();
    System.arraycopy(TestData.random(BS, rnd), 0, child, 6 * BS, BS);
    Path p0 = dir.resolve("base.hxz");
    Snaps.write(p0, Snaps.options(BS, CodecType.NONE, 0, false).build(), base);
    Path p1 = dir.resolve("child.hxz");
    Snaps.write(p1, Snaps.options(BS, CodecType.NONE, 0, false).parent(p0).build(), child);
    Path other = dir.resolve("other.hxz");
    Snaps.write(other, Snaps.options(BS, CodecType.NONE, 0, false).build(), TestData.random(8 * BS, rnd));
    try (RangeServer parent = new RangeServer(Files.readAllBytes(p0))) {
      // The child, on its own server, names its parent by a path on that server, which
      // redirects to the parent's server (a hint naming another host outright is not followed).
      byte[] hint = "/redirect".getBytes(StandardCharsets.UTF_8);
      Path remoteChild = Damage.editHeader(p1, dir.resolve("remote-child.hxz"), h -> {
        h.putShort(112, (short) hint.length);
        h.put(256, new byte[1024]).put(256, hint);
      });
      try (RangeServer childServer = new RangeServer(Files.readAllBytes(remoteChild))) {
        childServer.redirectTo(parent.uri("/obj").toString());
        parent.replaceAfter(1, Files.readAllBytes(other));
        ReadOptions o = ReadOptions.DEFAULTS.withPrefetch(false)
            .withRemote(RemoteOptions.builder().allowRestricted(true).build());
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
          byte[] got;
          try (Snapshot s = Snapshots.open(childServer.uri("/obj").toString(), o)) {
            got = Snaps.readAll(s.disk(), BS);
          } catch (IOException refused) {
            return; // an error is acceptable; bytes of the other object are not
          }
          assertArrayEquals(child, got, Seeds.describe(SEED));
        });
        assertEquals(1, parent.objectRequests.get(), "the parent was opened more than once");
      }
    }
  }
}
