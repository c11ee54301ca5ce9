package io.hexz.fuzz;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hexz.Hexz;
import io.hexz.codec.CodecType;
import io.hexz.format.ParentException;
import io.hexz.read.VerifyReport;
import io.hexz.testing.Damage;
import io.hexz.testing.QuietHexzLog;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/**
 * Chains that loop, written on purpose (the fuzzer reaches them too; these make the two shapes
 * the issue names certain on every run): a thin snapshot that names itself as its parent, and a
 * cycle of two thin snapshots. Open, inspect, verify and analyze must each refuse them with a
 * {@link ParentException} naming a file of the loop, promptly; never a StackOverflowError.
 */
@ExtendWith(QuietHexzLog.class)
class ParentCycleTest {
  @TempDir
  Path dir;

  private Path[] chain() throws IOException {
    Random rnd = new Random(7);
    byte[] disk = Images.content(rnd, 8, 6);
    Path p = dir.resolve("p.hxz");
    Path c = dir.resolve("c.hxz");
    Images.write(p, Images.options(CodecType.LZ4).build(), disk, null);
    byte[] changed = disk.clone();
    changed[5] ^= 1;
    Images.write(c, Images.options(CodecType.LZ4).parent(p).build(), changed, null);
    return new Path[] {c, p};
  }

  @Test
  void aSnapshotThatIsItsOwnParentIsRefused() throws Exception {
    Path c = chain()[0];
    byte[] f = Files.readAllBytes(c);
    ParentChainFuzzTest.makeThin(f, ParentChainFuzzTest.identity(f), "c.hxz");
    Damage.recrcHeader(f);
    Files.write(c, f);
    assertRefused(c, "c.hxz");
  }

  @Test
  void aCycleOfTwoThinSnapshotsIsRefused() throws Exception {
    Path[] cp = chain();
    byte[] p = Files.readAllBytes(cp[1]);
    ParentChainFuzzTest.makeThin(p, ParentChainFuzzTest.identity(Files.readAllBytes(cp[0])), "c.hxz");
    Damage.recrcHeader(p);
    Files.write(cp[1], p);
    assertRefused(cp[0], "hxz");
    assertRefused(cp[1], "hxz");
  }

  private static void assertRefused(Path f, String names) {
    Map<String, Executable> uses = new LinkedHashMap<>();
    uses.put("open", () -> Hexz.open(f, Images.OPTIONS).close());
    uses.put("inspect", () -> Hexz.inspect(f));
    uses.put("verify", () -> {
      VerifyReport r = Hexz.verify(f); // reports what it finds rather than throwing
      if (!r.ok()) {
        throw new ParentException(f.toString(), String.join("; ", r.problems()));
      }
    });
    uses.put("analyze", () -> Hexz.analyze(f));
    for (Map.Entry<String, Executable> use : uses.entrySet()) {
      ParentException e = assertTimeoutPreemptively(Duration.ofSeconds(20), () -> assertThrows(ParentException.class,
          use.getValue(), use.getKey() + " of " + f.getFileName()));
      assertTrue(e.getMessage().contains(names), e.getMessage());
      System.out.println("[hexz-fuzz] " + use.getKey() + ": " + e.getMessage());
    }
  }
}
