package io.hexz.fuse;

import io.hexz.read.ReadOptions;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * How a snapshot is mounted. Immutable; build with {@link #builder()} (or {@link #toBuilder()}),
 * which checks every value when it is set. {@link #DEFAULTS}: read-only, a 256 MiB cache with
 * prefetch, {@value #DEFAULT_THREADS} FUSE threads, the mounting user's ids.
 */
public final class MountOptions {
  /** Default block cache for mounts: 256 MiB ({@link ReadOptions#DEFAULTS}). */
  public static final long DEFAULT_CACHE = 256L << 20;

  /** Default number of FUSE worker threads. */
  public static final int DEFAULT_THREADS = 4;

  /** Upper bound on FUSE worker threads (each holds a 128 KiB request buffer). */
  public static final int MAX_THREADS = 64;

  /** A read-only mount with every default. */
  public static final MountOptions DEFAULTS = builder().build();

  private final Path overlay;
  private final long uid;
  private final long gid;
  private final boolean allowOther;
  private final List<String> fuseOptions;
  private final boolean debug;
  private final int threads;
  private final ReadOptions read;
  private final Path recordTrace;
  private final boolean bootPrefetch;

  private MountOptions(Builder b) {
    this.recordTrace = b.recordTrace;
    this.bootPrefetch = b.bootPrefetch;
    this.overlay = b.overlay;
    this.uid = b.uid;
    this.gid = b.gid;
    this.allowOther = b.allowOther;
    this.fuseOptions = b.fuseOptions;
    this.debug = b.debug;
    this.threads = b.threads;
    this.read = b.read;
  }

  /** A builder holding {@link #DEFAULTS}' values. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder holding these options. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.overlay = overlay;
    b.uid = uid;
    b.gid = gid;
    b.allowOther = allowOther;
    b.fuseOptions = fuseOptions;
    b.debug = debug;
    b.threads = threads;
    b.read = read;
    b.recordTrace = recordTrace;
    b.bootPrefetch = bootPrefetch;
    return b;
  }

  /** Where the mount writes its block trace (first reads, in order), or null for none. */
  public Path recordTrace() {
    return recordTrace;
  }

  /** Whether a snapshot's prefetch plan is loaded from the start (default true). */
  public boolean bootPrefetch() {
    return bootPrefetch;
  }

  /** Overlay file for a writable mount, or null for read-only. */
  public Path overlay() {
    return overlay;
  }

  /** Whether the mount is writable (it has an overlay). */
  public boolean writable() {
    return overlay != null;
  }

  /** Owner reported for files (negative: the mounting user). */
  public long uid() {
    return uid;
  }

  /** Group reported for files (negative: the mounting user's group). */
  public long gid() {
    return gid;
  }

  /** Whether other users may access the mount (FUSE allow_other). */
  public boolean allowOther() {
    return allowOther;
  }

  /** Extra {@code -o} options passed to libfuse as they are. */
  public List<String> fuseOptions() {
    return fuseOptions;
  }

  /** Whether libfuse prints debug output. */
  public boolean debug() {
    return debug;
  }

  /** How many threads serve FUSE requests (1: one at a time). */
  public int threads() {
    return threads;
  }

  /**
   * How the snapshots are read: cache size, prefetch, where parents are looked for, remote
   * fetching, the password of encrypted snapshots (needed only until the mount is up) and the
   * public key that signed snapshots must verify with.
   */
  public ReadOptions read() {
    return read;
  }

  /** Collects options; every setter checks its value at once. Not thread-safe. */
  public static final class Builder {
    private Path overlay;
    private long uid = -1;
    private long gid = -1;
    private boolean allowOther;
    private List<String> fuseOptions = List.of();
    private boolean debug;
    private int threads = DEFAULT_THREADS;
    private ReadOptions read = ReadOptions.DEFAULTS;
    private Path recordTrace;
    private boolean bootPrefetch = true;

    /** Records the blocks read first, in order, into {@code file} (a block trace); null for none. */
    public Builder recordTrace(Path file) {
      this.recordTrace = file;
      return this;
    }

    /** Loads a snapshot's prefetch plan from the start (default true). */
    public Builder bootPrefetch(boolean on) {
      this.bootPrefetch = on;
      return this;
    }

    private Builder() {}

    /** Makes the mount writable, its writes going to {@code file}; null for read-only. */
    public Builder overlay(Path file) {
      this.overlay = file;
      return this;
    }

    /** The owner shown for the files; negative for the mounting user. */
    public Builder uid(long id) {
      this.uid = id;
      return this;
    }

    /** The group shown for the files; negative for the mounting user's. */
    public Builder gid(long id) {
      this.gid = id;
      return this;
    }

    public Builder allowOther(boolean on) {
      this.allowOther = on;
      return this;
    }

    /** Options passed to libfuse as they are, each one word (name or name=value). */
    public Builder fuseOptions(List<String> options) {
      for (String o : options) {
        if (o.isBlank() || o.contains(" ")) {
          throw new IllegalArgumentException("FUSE option '" + o + "' must be one word (name or name=value)");
        }
      }
      this.fuseOptions = List.copyOf(options);
      return this;
    }

    public Builder debug(boolean on) {
      this.debug = on;
      return this;
    }

    public Builder threads(int n) {
      if (n < 1 || n > MAX_THREADS) {
        throw new IllegalArgumentException("FUSE threads (" + n + ") must be 1.." + MAX_THREADS);
      }
      this.threads = n;
      return this;
    }

    /** How the snapshots are read (the default: {@link ReadOptions#DEFAULTS}, a 256 MiB cache with prefetch). */
    public Builder read(ReadOptions o) {
      this.read = Objects.requireNonNull(o, "read");
      return this;
    }

    public MountOptions build() {
      return new MountOptions(this);
    }
  }
}
