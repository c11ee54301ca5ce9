package io.hexz.write;

import io.hexz.codec.CodecType;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.LongConsumer;

/**
 * How a snapshot is written. Immutable; build with {@link #builder()} (or
 * {@link #builder(Profile)}), which validates every field at once.
 */
public final class WriteOptions {
  private final int blockSize;
  private final CodecType codec;
  private final int level;
  private final boolean dedup;
  private final int threads;
  private final String source;
  private final Instant created;
  private final Map<String, String> metadata;
  private final LongConsumer progress;
  private final int dedupCapacity;
  private final java.nio.file.Path parent;
  private final io.hexz.read.ReadOptions parentReadOptions;
  private final io.hexz.crypto.Secret password;
  private final io.hexz.crypto.KdfParams kdf;
  private final java.util.Set<java.nio.file.attribute.PosixFilePermission> maxPermissions;
  private final io.hexz.format.BootTrace bootTrace;

  private WriteOptions(Builder b) {
    this.bootTrace = b.bootTrace;
    this.maxPermissions = b.maxPermissions == null ? null : java.util.Set.copyOf(b.maxPermissions);
    this.password = b.password;
    this.kdf = b.kdf;
    this.parent = b.parent;
    this.parentReadOptions = b.parentReadOptions;
    this.blockSize = b.blockSize;
    this.codec = b.codec;
    this.level = b.level;
    this.dedup = b.dedup;
    this.threads = b.threads;
    this.source = b.source;
    this.created = b.created;
    this.metadata = Map.copyOf(b.metadata);
    this.progress = b.progress;
    this.dedupCapacity = b.dedupCapacity;
  }

  public static Builder builder() {
    return builder(Profile.GENERIC);
  }

  public static Builder builder(Profile p) {
    return new Builder().blockSize(p.blockSize()).codec(p.codec()).level(p.effort().level(p.codec()));
  }

  public int blockSize() {
    return blockSize;
  }

  /** The boot trace whose blocks are laid out first and kept as the prefetch plan, or null. */
  public io.hexz.format.BootTrace bootTrace() {
    return bootTrace;
  }

  public CodecType codec() {
    return codec;
  }

  public int level() {
    return level;
  }

  public boolean dedup() {
    return dedup;
  }

  public int threads() {
    return threads;
  }

  public String source() {
    return source;
  }

  /** Creation time written to metadata; null means "now". */
  public Instant created() {
    return created;
  }

  public Map<String, String> metadata() {
    return metadata;
  }

  /** Called with the number of input bytes consumed so far (from the writing thread). */
  public LongConsumer progress() {
    return progress;
  }

  /** Most distinct blocks the dedup table remembers; beyond it new blocks are not deduplicated. */
  public int dedupCapacity() {
    return dedupCapacity;
  }

  /** Parent snapshot for a thin snapshot, or null for a self-contained one. */
  public java.nio.file.Path parent() {
    return parent;
  }

  /** How the parent (and its own chain) is opened. */
  public io.hexz.read.ReadOptions parentReadOptions() {
    return parentReadOptions;
  }

  /** The password of an encrypted snapshot, or null for a clear one. */
  public io.hexz.crypto.Secret password() {
    return password;
  }

  /** Argon2id costs of the key derivation (used only when encrypting). */
  public io.hexz.crypto.KdfParams kdf() {
    return kdf;
  }

  /**
   * The most a snapshot file's mode may allow besides its owner's read and write (null: no limit
   * but the umask). The file is made {@code rw-rw-rw-} less the umask, then narrowed to this.
   */
  public java.util.Set<java.nio.file.attribute.PosixFilePermission> maxPermissions() {
    return maxPermissions;
  }

  /** Builder of {@link WriteOptions}; not thread-safe. */
  public static final class Builder {
    private int blockSize = 64 << 10;
    private CodecType codec = CodecType.LZ4;
    private int level;
    private boolean dedup = true;
    private int threads = Runtime.getRuntime().availableProcessors();
    private String source = "";
    private Instant created;
    private final Map<String, String> metadata = new LinkedHashMap<>();
    private LongConsumer progress = n -> {};
    private int dedupCapacity = 4 << 20;
    private java.nio.file.Path parent;
    private io.hexz.read.ReadOptions parentReadOptions = io.hexz.read.ReadOptions.LOOKUPS;
    private io.hexz.crypto.Secret password;
    private io.hexz.crypto.KdfParams kdf = io.hexz.crypto.KdfParams.DEFAULTS;
    private java.util.Set<java.nio.file.attribute.PosixFilePermission> maxPermissions;
    private io.hexz.format.BootTrace bootTrace;

    /**
     * Lays the blocks of {@code trace} out first, in first-read order, and stores them as the
     * snapshot's prefetch plan (a thin snapshot stores the plan only); null for none.
     */
    public Builder bootTrace(io.hexz.format.BootTrace trace) {
      this.bootTrace = trace;
      return this;
    }

    /**
     * Limits the snapshot file's mode to {@code p} (plus its owner's read and write): give the
     * source's mode, so that a snapshot of a private disk or file is as private as its source.
     */
    public Builder maxPermissions(java.util.Set<java.nio.file.attribute.PosixFilePermission> p) {
      this.maxPermissions = p == null ? null : java.util.Set.copyOf(p);
      return this;
    }

    /**
     * {@link #maxPermissions} from the files the snapshot's content comes from: what all of them
     * allow (a file system without POSIX modes sets no limit).
     */
    public Builder maxPermissionsOf(java.nio.file.Path... sources) throws java.io.IOException {
      java.util.Set<java.nio.file.attribute.PosixFilePermission> p =
          java.util.EnumSet.allOf(java.nio.file.attribute.PosixFilePermission.class);
      for (java.nio.file.Path f : sources) {
        try {
          p.retainAll(java.nio.file.Files.getPosixFilePermissions(f));
        } catch (UnsupportedOperationException ignored) {
          // no modes there: no limit from this one
        }
      }
      return maxPermissions(p);
    }

    /** Argon2id costs for {@link #encrypt} (the default is {@link io.hexz.crypto.KdfParams#DEFAULTS}). */
    public Builder kdf(io.hexz.crypto.KdfParams kdf) {
      this.kdf = Objects.requireNonNull(kdf, "kdf");
      return this;
    }

    /**
     * Encrypts the snapshot: blocks, index and metadata sealed with AES-256-GCM under a key that
     * Argon2id derives from {@code password} and a fresh random salt. The caller keeps ownership
     * of the password (and wipes it after {@code finish}). The parent of a thin snapshot is opened
     * with {@link #parentReadOptions}, which needs the parent's password if it is encrypted.
     */
    public Builder encrypt(io.hexz.crypto.Secret password, io.hexz.crypto.KdfParams kdf) {
      this.password = Objects.requireNonNull(password, "password");
      this.kdf = Objects.requireNonNull(kdf, "kdf");
      return this;
    }

    /**
     * Makes the snapshot thin: blocks equal to the parent's block at the same position are stored
     * as references. The block size must then be the parent's.
     */
    public Builder parent(java.nio.file.Path p) {
      this.parent = p;
      return this;
    }

    public Builder parentReadOptions(io.hexz.read.ReadOptions o) {
      this.parentReadOptions = Objects.requireNonNull(o, "parentReadOptions");
      return this;
    }

    public Builder blockSize(int size) {
      if (size < 4096 || size > (1 << 20) || Integer.bitCount(size) != 1) {
        throw new IllegalArgumentException("blockSize (" + size + ") must be a power of two between 4 KiB and 1 MiB");
      }
      this.blockSize = size;
      return this;
    }

    public Builder codec(CodecType c) {
      this.codec = Objects.requireNonNull(c, "codec");
      return this;
    }

    public Builder level(int l) {
      this.level = l;
      return this;
    }

    public Builder dedup(boolean on) {
      this.dedup = on;
      return this;
    }

    public Builder threads(int n) {
      if (n < 1 || n > 256) {
        throw new IllegalArgumentException("threads (" + n + ") must be in 1..256");
      }
      this.threads = n;
      return this;
    }

    public Builder source(String s) {
      this.source = Objects.requireNonNull(s, "source");
      return this;
    }

    public Builder created(Instant t) {
      this.created = t;
      return this;
    }

    public Builder meta(String key, String value) {
      metadata.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
      return this;
    }

    public Builder progress(LongConsumer p) {
      this.progress = Objects.requireNonNull(p, "progress");
      return this;
    }

    public Builder dedupCapacity(int entries) {
      if (entries < 0) {
        throw new IllegalArgumentException("dedupCapacity (" + entries + ") must be >= 0");
      }
      this.dedupCapacity = entries;
      return this;
    }

    public WriteOptions build() {
      if (codec != CodecType.NONE) {
        io.hexz.codec.Codec.of(codec, level); // validates the level for this codec
      }
      return new WriteOptions(this);
    }
  }
}
