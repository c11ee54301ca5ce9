package io.hexz.store;

import java.io.Closeable;
import java.io.IOException;

/**
 * The transport of one remote object (HTTP or S3): it pinned the object when it was opened and
 * fetches byte ranges of exactly that version. Implementations are thread-safe.
 */
interface RangeFetcher extends Closeable {

  /** The object's URI without credentials or query. */
  String name();

  /** Length of the object, found at open. */
  long size();

  /** What pins the object (its ETag, else its Last-Modified), or null if the server gave neither. */
  String validator();

  /** The validator description for an ETag and a Last-Modified (either may be null). */
  static String describeValidator(String etag, Object lastModified) {
    return etag != null ? "etag " + etag : lastModified != null ? "last-modified " + lastModified : null;
  }

  /** The bytes from offset 0 that opening fetched anyway (at most one chunk), or null; given out once. */
  byte[] takeProbe();

  /**
   * One attempt to fetch the bytes at {@code offset} into {@code parts}, in order, filling each
   * part completely (the range lies inside the object). Counts requests and bytes in the stats.
   *
   * @throws TransientException for failures worth retrying
   * @throws RemoteChangedException if the object is not the pinned version any more
   * @throws RemoteException if the server cannot serve the range correctly
   */
  void fetch(long offset, byte[][] parts) throws IOException;
}
