package io.hexz.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How the JVM of a background mount is sized, without starting one. */
class MountJvmTest {

  private static long heapMiB(List<String> opts) {
    for (String o : opts) {
      if (o.startsWith("-Xmx")) {
        return Long.parseLong(o.substring(4, o.length() - 1));
      }
    }
    throw new AssertionError("no -Xmx in " + opts);
  }

  @Test
  void heapHoldsTheKeyDerivationBesideASmallCache() {
    long cache = 16L << 20;
    long kdf = 64L << 20;
    long heap = heapMiB(MountJvm.options(cache, kdf));
    // Argon2's memory plus its 1 KiB blocks' headers must fit beside the young generation.
    assertTrue(heap >= 64 + 64 / 32 + 8 + 16, "heap " + heap + " MiB for a 64 MiB KDF");
    assertEquals(heapMiB(MountJvm.options(cache, 0)) < heap, true);
    long big = heapMiB(MountJvm.options(256L << 20, 0));
    assertEquals(big, heapMiB(MountJvm.options(256L << 20, 64L << 20)),
        "a large cache already leaves room for the KDF");
  }

  @Test
  void theHeapIsCommittedWhole() {
    List<String> o = MountJvm.options(256L << 20, 0);
    assertTrue(o.contains("-Xms" + heapMiB(o) + "m"), o.toString());
  }

  @Test
  void hugePagesOnlyWhereTheKernelGivesThem(@TempDir Path dir) throws Exception {
    Path f = dir.resolve("enabled");
    assertTrue(MountJvm.transparentHugePages(Files.writeString(f, "always [madvise] never\n")));
    assertTrue(MountJvm.transparentHugePages(Files.writeString(f, "[always] madvise never\n")));
    assertEquals(false, MountJvm.transparentHugePages(Files.writeString(f, "always madvise [never]\n")));
    assertEquals(false, MountJvm.transparentHugePages(dir.resolve("absent")));
  }

  @Test
  void kdfMemoryComesFromTheHeader(@TempDir Path dir) throws Exception {
    Path img = Files.write(dir.resolve("in.img"), new byte[100_000]);
    Path pw = Files.writeString(dir.resolve("pw"), "pw\n");
    Path enc = dir.resolve("enc.hxz");
    assertEquals(0, Main.run("build", "-q", img.toString(), enc.toString(), "--encrypt", "--password-file",
        pw.toString(), "--kdf-memory", "8M", "--kdf-iterations", "1"));
    assertEquals(8L << 20, MountJvm.kdfMemory(enc.toString()));
    assertEquals(8L << 20, MountJvm.kdfMemory(dir.toString()));
    assertEquals((long) io.hexz.format.EncryptionInfo.MAX_MEMORY_KIB << 10,
        MountJvm.kdfMemory("https://example.invalid/x.hxz"));
  }

  @Test
  void theChildKeepsThisJvmsOptionsButNotTheOnesItIsSizedWith() {
    List<String> mine = List.of("-Xmx4g", "-Xms1g", "-Xmn100m", "-Dfile.encoding=UTF-8", "-XX:MaxMetaspaceSize=1g",
        "-XX:ReservedCodeCacheSize=1g", "-XX:MaxDirectMemorySize=1g", "-Xss512k", "-XX:+UseSerialGC",
        "-Dhexz.x=1", "-ea");
    assertEquals(List.of("-Xss512k", "-XX:+UseSerialGC", "-Dhexz.x=1", "-ea"), MountJvm.inherited(mine));
    for (String o : MountJvm.options(256L << 20, 0)) {
      assertTrue(MountJvm.inherited(List.of(o)).isEmpty() || o.startsWith("-XX:+") || o.startsWith("-XX:CI"),
          "an option the child is sized with is not inherited as well: " + o);
    }
  }
}
