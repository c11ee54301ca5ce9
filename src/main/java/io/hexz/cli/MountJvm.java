package io.hexz.cli;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The JVM a background mount runs in: its memory is the block cache plus a fixed overhead, so
 * its heap is capped at that (the JVM default, a quarter of RAM, lets garbage pile up far
 * beyond the cache), with room for the key derivation of encrypted snapshots. Stateless.
 */
final class MountJvm {
  /** The options {@link #options} sets, which the child does not inherit from this JVM. */
  private static final List<String> SIZED = List.of("-Xmx", "-Xms", "-Xmn", "-Dfile.encoding",
      "-XX:MaxMetaspaceSize", "-XX:ReservedCodeCacheSize", "-XX:MaxDirectMemorySize");

  private MountJvm() {}

  /**
   * The options of the child JVM of a mount with a block cache of {@code cacheBytes} that derives
   * keys with up to {@code kdfBytes} of Argon2 memory: this JVM's own ({@link #inherited}), then
   * the sizing ({@link #options}).
   */
  static List<String> forChild(long cacheBytes, long kdfBytes) {
    List<String> o = new ArrayList<>(inherited(ManagementFactory.getRuntimeMXBean().getInputArguments()));
    o.addAll(options(cacheBytes, kdfBytes));
    if (transparentHugePages(Path.of("/sys/kernel/mm/transparent_hugepage/enabled"))) {
      o.add("-XX:+UseTransparentHugePages");
    }
    return o;
  }

  /**
   * Whether the kernel gives huge pages to a process that asks for them ({@code [always]} or
   * {@code [madvise]} in {@code enabled}). The JVM prints a warning when asked for them where it
   * cannot have them, so the option is only given where it works. Why a mount wants them: a fresh
   * mount's first reads fill the heap with decoded blocks, and each first touch of a 4 KiB page
   * is a page fault; on a virtual machine here those faults cost more than the decoding (a
   * booting VM's reads through a fresh mount spent ~0.4 s in collections that first touched
   * their pages), while a 2 MiB page costs one fault.
   */
  static boolean transparentHugePages(Path enabled) {
    try {
      String s = Files.readString(enabled);
      return s.contains("[always]") || s.contains("[madvise]");
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  /** The options of this JVM ({@code jvmArgs}) that the child keeps: all but those {@link #options} sets. */
  static List<String> inherited(List<String> jvmArgs) {
    List<String> kept = new ArrayList<>();
    for (String arg : jvmArgs) {
      if (SIZED.stream().noneMatch(arg::startsWith)) {
        kept.add(arg);
      }
    }
    return kept;
  }

  /**
   * The most heap one key derivation of {@code location} can take: Argon2 holds its whole memory
   * cost on the heap. Read from the header(s) of a local snapshot or directory; the format's
   * maximum when it cannot be known before opening (a remote snapshot, a thin one whose parents
   * may use other parameters, a header that does not read: the child then reports why).
   */
  static long kdfMemory(String location) {
    long max = (long) io.hexz.format.EncryptionInfo.MAX_MEMORY_KIB << 10;
    if (io.hexz.store.ByteSources.isRemote(location)) {
      return max;
    }
    Path p = Path.of(location);
    try {
      List<Path> snaps;
      if (Files.isDirectory(p)) {
        try (var s = Files.list(p)) {
          snaps = s.filter(f -> f.getFileName().toString().endsWith(".hxz") && Files.isRegularFile(f)).toList();
        }
      } else {
        snaps = List.of(p);
      }
      long most = 0;
      for (Path f : snaps) {
        io.hexz.format.Header h = io.hexz.read.Snapshots.readHeader(f);
        if (h.isThin()) {
          return max;
        }
        if (h.isEncrypted()) {
          most = Math.max(most, (long) h.encryption().memoryKiB() << 10);
        }
      }
      return most;
    } catch (IOException | RuntimeException e) {
      return max;
    }
  }

  /**
   * JVM limits for a mount process with a block cache of {@code cacheBytes} that derives keys
   * with up to {@code kdfBytes} of Argon2 memory.
   */
  static List<String> options(long cacheBytes, long kdfBytes) {
    // The young generation is fixed so that the old one holds every decoded block plus room for
    // garbage: with the serial collector's default third of the heap for the young generation, a
    // 256 MiB cache did not fit in the old one and each read of a few MiB cost a full collection.
    long youngMiB = Math.max(8, Math.min(32, (cacheBytes >> 20) / 8));
    // Keys are derived before the cache fills, so the two share the old generation; Argon2's
    // blocks are 1 KiB arrays, each with a 32-byte object and array header.
    long oldMiB = Math.max(io.hexz.read.ReadOptions.blockMemory(cacheBytes) >> 20, (kdfBytes + kdfBytes / 16) >> 20);
    long heapMiB = oldMiB + youngMiB + 24;
    // The whole heap is reserved and committed at start (the pages are not touched, so resident
    // memory still grows only as the cache fills): a heap that starts small grows by full
    // collections, three of them during the first seconds of a boot read through a fresh mount.
    return List.of("-Xmx" + heapMiB + "m", "-Xmn" + youngMiB + "m", "-Xms" + heapMiB + "m", "-XX:MaxMetaspaceSize=48m",
        "-XX:ReservedCodeCacheSize=24m", "-XX:MaxDirectMemorySize=16m", "-XX:+UseSerialGC", "-XX:CICompilerCount=2",
        // jnr decodes FUSE paths with the default charset; Latin-1 keeps every byte of a name (see TreeFs).
        "-Dfile.encoding=ISO-8859-1");
  }
}
