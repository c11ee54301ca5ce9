package io.hexz.store;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * How remote snapshots (HTTP(S) and S3) are reached: endpoint, region, address policy, timeouts,
 * retries, chunking, readahead and caches. Immutable; built with {@link #builder()}, which checks
 * every value at once.
 */
public final class RemoteOptions {
  /** Every option at its default. */
  public static final RemoteOptions DEFAULTS = builder().build();

  private static final int MIN_CHUNK = 4 << 10;
  private static final int MAX_CHUNK = 16 << 20;
  private static final int MAX_READAHEAD = 64 << 20;
  private static final Duration MAX_TIMEOUT = Duration.ofHours(1);

  private final URI endpointUrl;
  private final String region;
  private final boolean allowRestricted;
  private final Duration connectTimeout;
  private final Duration requestTimeout;
  private final int maxRetries;
  private final Duration retryBaseDelay;
  private final Duration retryMaxDelay;
  private final int chunkSize;
  private final int readaheadBytes;
  private final long cacheBytes;
  private final Path diskCacheDir;
  private final long diskCacheBytes;

  private RemoteOptions(Builder b) {
    this.endpointUrl = b.endpointUrl;
    this.region = b.region;
    this.allowRestricted = b.allowRestricted;
    this.connectTimeout = b.connectTimeout;
    this.requestTimeout = b.requestTimeout;
    this.maxRetries = b.maxRetries;
    this.retryBaseDelay = b.retryBaseDelay;
    this.retryMaxDelay = b.retryMaxDelay;
    this.chunkSize = b.chunkSize;
    this.readaheadBytes = b.readaheadBytes;
    this.cacheBytes = b.cacheBytes;
    this.diskCacheDir = b.diskCacheDir;
    this.diskCacheBytes = b.diskCacheBytes;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** A builder holding these options. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.endpointUrl = endpointUrl;
    b.region = region;
    b.allowRestricted = allowRestricted;
    b.connectTimeout = connectTimeout;
    b.requestTimeout = requestTimeout;
    b.maxRetries = maxRetries;
    b.retryBaseDelay = retryBaseDelay;
    b.retryMaxDelay = retryMaxDelay;
    b.chunkSize = chunkSize;
    b.readaheadBytes = readaheadBytes;
    b.cacheBytes = cacheBytes;
    b.diskCacheDir = diskCacheDir;
    b.diskCacheBytes = diskCacheBytes;
    return b;
  }

  /** S3 endpoint override (MinIO, Ceph, any S3-compatible store); path-style access is used with it. */
  public Optional<URI> endpointUrl() {
    return Optional.ofNullable(endpointUrl);
  }

  /** S3 region; when empty, the AWS environment and profile files are asked, then us-east-1. */
  public Optional<String> region() {
    return Optional.ofNullable(region);
  }

  /** Whether loopback, private, link-local and metadata addresses may be reached (default false). */
  public boolean allowRestricted() {
    return allowRestricted;
  }

  /** Time to establish a connection (default 10 s). */
  public Duration connectTimeout() {
    return connectTimeout;
  }

  /** Time for one whole request, headers and body (default 30 s); then it counts as failed. */
  public Duration requestTimeout() {
    return requestTimeout;
  }

  /** Retries of a request after a transient failure (5xx, 429, reset, timeout, short body); default 4. */
  public int maxRetries() {
    return maxRetries;
  }

  /** First retry delay; doubled per retry, with full jitter (default 200 ms). */
  public Duration retryBaseDelay() {
    return retryBaseDelay;
  }

  /** Largest retry delay, also the cap on a server's Retry-After (default 5 s). */
  public Duration retryMaxDelay() {
    return retryMaxDelay;
  }

  /** Unit of fetching and caching: reads are served from aligned chunks of this size (default 256 KiB). */
  public int chunkSize() {
    return chunkSize;
  }

  /** Most bytes one request fetches when reads are sequential (default 4 MiB). */
  public int readaheadBytes() {
    return readaheadBytes;
  }

  /** Bound of the in-memory chunk cache (default 32 MiB). */
  public long cacheBytes() {
    return cacheBytes;
  }

  /** Directory of the optional on-disk chunk cache (empty: none). */
  public Optional<Path> diskCacheDir() {
    return Optional.ofNullable(diskCacheDir);
  }

  /** Bound of the on-disk cache, for all objects together (default 1 GiB). */
  public long diskCacheBytes() {
    return diskCacheBytes;
  }

  @Override
  public String toString() {
    return "RemoteOptions[endpointUrl=" + (endpointUrl == null ? "" : Uris.redact(endpointUrl)) + ", region="
        + (region == null ? "" : region) + ", allowRestricted=" + allowRestricted + ", connectTimeout=" + connectTimeout
        + ", requestTimeout=" + requestTimeout + ", maxRetries=" + maxRetries + ", chunkSize=" + chunkSize
        + ", readaheadBytes=" + readaheadBytes + ", cacheBytes=" + cacheBytes + ", diskCacheDir="
        + (diskCacheDir == null ? "" : diskCacheDir) + ", diskCacheBytes=" + diskCacheBytes + "]";
  }

  /** Collects options; every setter checks its value at once. Not thread-safe. */
  public static final class Builder {
    private URI endpointUrl;
    private String region;
    private boolean allowRestricted;
    private Duration connectTimeout = Duration.ofSeconds(10);
    private Duration requestTimeout = Duration.ofSeconds(30);
    private int maxRetries = 4;
    private Duration retryBaseDelay = Duration.ofMillis(200);
    private Duration retryMaxDelay = Duration.ofSeconds(5);
    private int chunkSize = 256 << 10;
    private int readaheadBytes = 4 << 20;
    private long cacheBytes = 32L << 20;
    private Path diskCacheDir;
    private long diskCacheBytes = 1L << 30;

    private Builder() {}

    /** An http or https URL with a host and no query, or null for the AWS default. */
    public Builder endpointUrl(URI url) {
      if (url != null) {
        String s = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
        if (!(s.equals("http") || s.equals("https")) || url.getHost() == null || url.getRawQuery() != null
            || url.getRawUserInfo() != null) {
          throw new IllegalArgumentException("endpointUrl (" + Uris.redact(url)
              + ") must be an http or https URL with a host and without credentials or query");
        }
      }
      this.endpointUrl = url;
      return this;
    }

    /** An AWS region name such as eu-west-1, or null to look it up. */
    public Builder region(String region) {
      if (region != null && !region.matches("[a-z0-9][a-z0-9-]{0,62}")) {
        throw new IllegalArgumentException("region (" + region + ") must be a region name such as eu-west-1");
      }
      this.region = region;
      return this;
    }

    public Builder allowRestricted(boolean allow) {
      this.allowRestricted = allow;
      return this;
    }

    public Builder connectTimeout(Duration d) {
      this.connectTimeout = positive("connectTimeout", d, MAX_TIMEOUT);
      return this;
    }

    public Builder requestTimeout(Duration d) {
      this.requestTimeout = positive("requestTimeout", d, MAX_TIMEOUT);
      return this;
    }

    public Builder maxRetries(int n) {
      if (n < 0 || n > 20) {
        throw new IllegalArgumentException("maxRetries (" + n + ") must be between 0 and 20");
      }
      this.maxRetries = n;
      return this;
    }

    /** First retry delay and largest retry delay. */
    public Builder retryDelays(Duration base, Duration max) {
      positive("retryBaseDelay", base, Duration.ofMinutes(1));
      positive("retryMaxDelay", max, Duration.ofMinutes(5));
      if (base.compareTo(max) > 0) {
        throw new IllegalArgumentException("retryBaseDelay (" + base + ") must not exceed retryMaxDelay (" + max + ")");
      }
      this.retryBaseDelay = base;
      this.retryMaxDelay = max;
      return this;
    }

    /** A power of two between 4 KiB and 16 MiB. */
    public Builder chunkSize(int bytes) {
      if (bytes < MIN_CHUNK || bytes > MAX_CHUNK || Integer.bitCount(bytes) != 1) {
        throw new IllegalArgumentException("chunkSize (" + bytes + ") must be a power of two between 4 KiB and 16 MiB");
      }
      this.chunkSize = bytes;
      return this;
    }

    /** Most bytes per request for sequential reads; at least the chunk size, at most 64 MiB. */
    public Builder readaheadBytes(int bytes) {
      if (bytes <= 0 || bytes > MAX_READAHEAD) {
        throw new IllegalArgumentException("readaheadBytes (" + bytes + ") must be between 1 and 64 MiB");
      }
      this.readaheadBytes = bytes;
      return this;
    }

    public Builder cacheBytes(long bytes) {
      if (bytes <= 0) {
        throw new IllegalArgumentException("cacheBytes (" + bytes + ") must be positive");
      }
      this.cacheBytes = bytes;
      return this;
    }

    /** Keeps fetched chunks under {@code dir} (created if missing), all objects together within {@code maxBytes}. */
    public Builder diskCache(Path dir, long maxBytes) {
      if (dir != null && maxBytes <= 0) {
        throw new IllegalArgumentException("diskCacheBytes (" + maxBytes + ") must be positive");
      }
      this.diskCacheDir = dir;
      this.diskCacheBytes = dir == null ? 1L << 30 : maxBytes;
      return this;
    }

    /** The options; checks the values that depend on each other. */
    public RemoteOptions build() {
      if (readaheadBytes < chunkSize) {
        throw new IllegalArgumentException("readaheadBytes (" + readaheadBytes + ") must be at least chunkSize ("
            + chunkSize + ")");
      }
      if (cacheBytes < 2L * readaheadBytes) {
        throw new IllegalArgumentException("cacheBytes (" + cacheBytes + ") must be at least twice readaheadBytes ("
            + readaheadBytes + ")");
      }
      if (diskCacheDir != null && diskCacheBytes < 4L * readaheadBytes) {
        throw new IllegalArgumentException("diskCacheBytes (" + diskCacheBytes
            + ") must be at least four times readaheadBytes (" + readaheadBytes + ")");
      }
      if (connectTimeout.compareTo(requestTimeout) > 0) {
        throw new IllegalArgumentException("connectTimeout (" + connectTimeout + ") must not exceed requestTimeout ("
            + requestTimeout + ")");
      }
      return new RemoteOptions(this);
    }

    private static Duration positive(String what, Duration d, Duration max) {
      Objects.requireNonNull(d, what);
      if (d.isNegative() || d.isZero() || d.compareTo(max) > 0) {
        throw new IllegalArgumentException(what + " (" + d + ") must be positive and at most " + max);
      }
      return d;
    }
  }
}
