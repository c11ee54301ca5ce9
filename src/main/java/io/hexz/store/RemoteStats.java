package io.hexz.store;

/**
 * Counters of one remote source since it was opened, for benchmarks and diagnostics. Immutable
 * (a snapshot of the live counters).
 *
 * @param requests HTTP requests sent, including the one at open, redirects and retries
 * @param bytesFetched body bytes received from the network
 * @param retries attempts repeated after a transient failure
 * @param chunkHits chunk lookups served from the in-memory chunk cache (or a fetch already in flight)
 * @param chunksFetched chunks fetched from the network
 * @param diskHits chunks served from the on-disk cache
 * @param bytesRead bytes returned to callers
 */
public record RemoteStats(long requests, long bytesFetched, long retries, long chunkHits, long chunksFetched,
    long diskHits, long bytesRead) {

  /** "12 requests, 3276800 bytes fetched, 0 retries, ..." for logs and bench reports. */
  @Override
  public String toString() {
    return requests + " requests, " + bytesFetched + " bytes fetched, " + retries + " retries, " + chunkHits
        + " chunk hits, " + chunksFetched + " chunks fetched, " + diskHits + " disk hits, " + bytesRead + " bytes read";
  }
}
