package io.hexz.cli;

import io.hexz.Hexz;
import io.hexz.codec.CodecType;
import io.hexz.write.Profile;
import io.hexz.write.WriteOptions;
import io.hexz.write.WriteStats;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code hexz build SOURCE OUTPUT}: packs an image or a directory tree into a snapshot. */
@Command(name = "build", mixinStandardHelpOptions = true,
    description = "Pack a disk image (or any file), or a directory tree, into a .hxz snapshot.")
final class BuildCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "SOURCE", description = "image file, block device, or directory (a directory snapshot)")
  Path source;

  @Parameters(index = "1", paramLabel = "OUTPUT", description = "snapshot to write (atomically)")
  Path output;

  @Option(names = "--profile", paramLabel = "P",
      description = "ml, eda, embedded, generic (default for images), archival (default for directories)")
  String profile;

  @Option(names = "--no-special", description = "directories: skip device nodes, fifos and sockets (with a warning)")
  boolean noSpecial;

  @Option(names = "--compression", paramLabel = "CODEC", description = "lz4, zstd or none (overrides the profile)")
  String compression;

  @Option(names = "--level", paramLabel = "N", description = "codec level (lz4: 0 fast, 1..17 HC; zstd: 1..22)")
  Integer level;

  @Option(names = "--block-size", paramLabel = "SIZE", converter = Sizes.class,
      description = "block size, a power of two from 4K to 1M (overrides the profile)")
  Long blockSize;

  @Option(names = "--no-dedup", description = "do not store identical blocks once")
  boolean noDedup;

  @Option(names = "--memory", paramLabel = "FILE", description = "VM memory dump to store as the memory stream")
  Path memory;

  @Option(names = "--meta", paramLabel = "KEY=VALUE", description = "user metadata (repeatable)")
  Map<String, String> meta = new LinkedHashMap<>();

  @Option(names = "--parent", paramLabel = "BASE",
      description = "store thin against BASE: blocks equal to BASE's cost nothing (uses BASE's block size)")
  Path parent;

  @picocli.CommandLine.Mixin
  ParentDirs parentDirs;

  @Option(names = "--encrypt",
      description = "encrypt blocks, index and metadata (AES-256-GCM, key from the password by Argon2id)")
  boolean encrypt;

  @picocli.CommandLine.Mixin
  PasswordFlags passwords;

  @Option(names = "--kdf-memory", paramLabel = "SIZE", converter = Sizes.class,
      description = "Argon2id memory per key derivation (default 64M; every open pays it)")
  long kdfMemory = io.hexz.crypto.KdfParams.DEFAULTS.memoryKiB() * 1024L;

  @Option(names = "--kdf-iterations", paramLabel = "N", description = "Argon2id passes (default 3)")
  int kdfIterations = io.hexz.crypto.KdfParams.DEFAULTS.iterations();

  @Option(names = "--threads", paramLabel = "N", description = "compression threads (default: all cores)")
  Integer threads;

  @Option(names = {"-q", "--quiet"}, description = "no progress bar")
  boolean quiet;

  @Option(names = "--json", description = "print the result as JSON")
  boolean json;

  @Mixin
  BootTraceFlag bootTrace;

  @Option(names = "--debug", description = "stack traces on errors")
  boolean debug;

  private int parentBlockSize;

  @Override
  public Integer call() throws Exception {
    boolean tree = Files.isDirectory(source);
    // Directories default to archival: see ARCHITECTURE.md (directory snapshots) for the measurements.
    Profile p = Profile.parse(profile != null ? profile : tree ? "archival" : "generic");
    long total = Files.isRegularFile(source) ? Files.size(source) : 0;
    if (memory != null && Files.isRegularFile(memory)) {
      total += Files.size(memory);
    }
    if (parent != null && !Files.exists(parent)) {
      throw new java.nio.file.NoSuchFileException(parent.toString(), null, "parent snapshot does not exist");
    }
    io.hexz.format.Header parentHeader = parent == null ? null : io.hexz.read.Snapshots.readHeader(parent);
    parentBlockSize = parent == null ? 0 : parentHeader.blockSize();
    if (parentHeader != null && parentHeader.isEncrypted() && !encrypt) {
      // The writer refuses it too (for an encrypted layer deeper in the chain): say which flag.
      throw new Errors.UsageException("--parent " + parent + " is encrypted: a thin snapshot of it needs --encrypt");
    }
    if (encrypt && !passwords.given()) {
      throw new Errors.UsageException("--encrypt needs --password-file FILE or --password-env VAR");
    }
    if (!encrypt && passwords.given() && parent == null) {
      throw new Errors.UsageException("a password option without --encrypt is only for opening an encrypted --parent");
    }
    io.hexz.crypto.KdfParams kdf;
    try {
      kdf = new io.hexz.crypto.KdfParams((int) Math.min(Integer.MAX_VALUE, kdfMemory / 1024), kdfIterations, 1);
    } catch (IllegalArgumentException e) {
      throw new Errors.UsageException("--kdf-memory/--kdf-iterations: " + e.getMessage());
    }
    io.hexz.format.BootTrace trace = bootTrace.load();
    long start = System.nanoTime();
    WriteStats st;
    try (io.hexz.crypto.Secret pw = passwords.read();
        Progress progress = Progress.start("build", total, quiet || json)) {
      st = Hexz.build(source, output, p, b -> {
        CodecType c = compression == null ? p.codec() : CodecType.parse(compression);
        b.codec(c);
        b.level(level != null ? level : compression == null ? p.effort().level(p.codec()) : p.effort().level(c));
        if (blockSize != null) {
          try {
            b.blockSize(blockSize > Integer.MAX_VALUE ? -1 : blockSize.intValue());
          } catch (IllegalArgumentException e) {
            throw new Errors.UsageException("--block-size " + blockSize + ": must be a power of two from 4K to 1M");
          }
        }
        if (parent != null) {
          b.parent(parent).parentReadOptions(io.hexz.read.ReadOptions.LOOKUPS.withParentDirs(parentDirs.get())
              .withPassword(pw));
          if (blockSize == null) {
            b.blockSize(parentBlockSize);
          }
        }
        if (threads != null) {
          b.threads(threads);
        }
        meta.forEach(b::meta);
        if (encrypt) {
          b.encrypt(pw, kdf);
        }
        String epoch = System.getenv("SOURCE_DATE_EPOCH");
        if (epoch != null && !epoch.isBlank()) {
          // Reproducible builds: the same input and options give a byte-identical snapshot.
          b.created(java.time.Instant.ofEpochSecond(Long.parseLong(epoch.trim())));
        }
        return b.dedup(!noDedup).progress(progress.listener()).bootTrace(trace);
      }, memory, new io.hexz.write.TreeOptions(!noSpecial, w -> System.err.println("hexz: warning: " + w)));
    }
    double secs = (System.nanoTime() - start) / 1e9;
    if (json) {
      var o = Json.object();
      o.put("output", output.toString());
      o.put("logicalBytes", st.logicalBytes());
      o.put("fileBytes", st.fileBytes());
      o.put("zeroBlocks", st.zeroBlocks());
      o.put("dedupBlocks", st.dedupBlocks());
      o.put("storedBlocks", st.storedBlocks());
      o.put("parentBlocks", st.parentBlocks());
      o.put("seconds", secs);
      o.put("identity", io.hexz.format.Checksums.hex(st.identity()));
      System.out.println(Json.write(o));
    } else {
      System.out.printf("%s: %s -> %s (%.1f%%) in %.1f s; %d zero, %d deduplicated, %d stored blocks%s%n",
          output, Human.bytes(st.logicalBytes()), Human.bytes(st.fileBytes()),
          st.logicalBytes() == 0 ? 100.0 : 100.0 * st.fileBytes() / st.logicalBytes(), secs,
          st.zeroBlocks(), st.dedupBlocks(), st.storedBlocks(),
          parent == null ? "" : ", " + st.parentBlocks() + " from the parent");
    }
    return 0;
  }
}
