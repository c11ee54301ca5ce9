package io.hexz.format;

/**
 * One entry of the header's stream table: a stream's size and where its index root lives.
 * Immutable.
 *
 * @param kind which stream
 * @param size logical size in bytes
 * @param indexDepth levels of index pages (0 when the stream is empty)
 * @param rootOffset file offset of the root index page
 * @param rootLength length of the root index page
 * @param storedBytes payload bytes this stream added to the file (informational)
 * @param rootCrc CRC32C of the root page's stored bytes
 */
public record StreamDescriptor(
    StreamKind kind, long size, int indexDepth, long rootOffset, int rootLength, long storedBytes, int rootCrc) {

  /** Number of blocks at {@code blockSize}. */
  public long blockCount(int blockSize) {
    return Format.ceilDiv(size, blockSize);
  }
}
