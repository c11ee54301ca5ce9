package io.hexz.store;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.Locale;

/** Opens byte sources: local files, HTTP(S) URLs and S3 objects. Stateless. */
public final class ByteSources {
  private ByteSources() {}

  /** A source over a local file. */
  public static ByteSource open(Path path) throws IOException {
    return new FileByteSource(path);
  }

  /**
   * A source over {@code uri}: {@code file:} URIs and URIs without a scheme are local files;
   * {@code http://} and {@code https://} URLs are read with range requests; {@code s3://BUCKET/KEY}
   * through the AWS SDK (credentials from the default AWS chain; endpoint and region from
   * {@code options}). Opening a remote source costs one request (HTTP: the first chunk; S3: a
   * HeadObject) and pins the object's version; the address policy applies before any request.
   *
   * @throws RestrictedAddressException if the host resolves to a restricted address and
   *     {@link RemoteOptions#allowRestricted()} is false
   * @throws java.nio.file.NoSuchFileException if the object does not exist (404)
   * @throws java.nio.file.AccessDeniedException on 401/403
   * @throws RemoteException if the server cannot serve range requests or keeps failing
   */
  public static ByteSource open(URI uri, RemoteOptions options) throws IOException {
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    switch (scheme) {
      case "":
        return open(Path.of(uri.getPath()));
      case "file":
        return open(Path.of(uri));
      case "http":
      case "https":
        if (uri.getHost() == null) {
          throw new RemoteException(Uris.redact(uri), "URL has no host (or one java.net.URI cannot parse)");
        }
        return remote(uri, options, true);
      case "s3":
        return remote(uri, options, false);
      default:
        throw new RemoteException(Uris.redact(uri), "unsupported scheme '" + scheme
            + "' (use a path, file:, http:, https: or s3:)");
    }
  }

  /**
   * Opens {@code location}: a URL if {@link #isRemote(String)}, else a local path. A URL that does
   * not parse is reported without its query or credentials.
   */
  public static ByteSource open(String location, RemoteOptions options) throws IOException {
    if (!isRemote(location)) {
      return open(Path.of(location));
    }
    URI uri;
    try {
      uri = new URI(location);
    } catch (URISyntaxException e) {
      String shown = location.replaceAll("\\?.*", "").replaceAll("//[^/@]*@", "//");
      throw new RemoteException(shown, "not a valid URL (" + e.getReason() + ")");
    }
    return open(uri, options);
  }

  /** Whether {@code location} is an http, https or s3 URL (rather than a local path). */
  public static boolean isRemote(String location) {
    String l = location.toLowerCase(Locale.ROOT);
    return l.startsWith("http://") || l.startsWith("https://") || l.startsWith("s3://");
  }

  /** {@code uri} as it may be shown in messages and logs: without user info, query or fragment. */
  public static String redact(URI uri) {
    return Uris.redact(uri);
  }

  private static ByteSource remote(URI uri, RemoteOptions options, boolean http) throws IOException {
    return remote(uri, options, AddressPolicy.of(options.allowRestricted()), http);
  }

  /** A remote source under a given address policy (tests exempt their loopback server). */
  static ByteSource remote(URI uri, RemoteOptions options, AddressPolicy policy, boolean http) throws IOException {
    Stats stats = new Stats();
    Retrier retrier = new Retrier(options, stats);
    RangeFetcher f = http ? HttpFetcher.open(uri, options, policy, stats, retrier)
        : S3Fetcher.open(uri, options, policy, stats, retrier);
    try {
      DiskCache disk = options.diskCacheDir().isEmpty() ? null : DiskCache.open(options.diskCacheDir().get(),
          options.diskCacheBytes(), f.name(), f.size(), f.validator(), options.chunkSize());
      return new RemoteByteSource(f, options, stats, retrier, disk);
    } catch (RuntimeException e) {
      f.close();
      throw e;
    }
  }
}
