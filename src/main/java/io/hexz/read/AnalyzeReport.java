package io.hexz.read;

import java.util.List;

/**
 * Where a snapshot's bytes go: zero blocks, deduplicated blocks, compression. Immutable.
 *
 * @param file the snapshot
 * @param fileBytes size of the snapshot file
 * @param streams one entry per stream
 */
public record AnalyzeReport(String file, long fileBytes, List<StreamStats> streams) {
  public AnalyzeReport {
    streams = List.copyOf(streams);
  }

  /**
   * Counts for one stream.
   *
   * @param logicalBytes the stream's size
   * @param blocks blocks in the stream
   * @param zeroBlocks all-zero blocks (stored as nothing)
   * @param parentBlocks blocks taken from the parent snapshot
   * @param dedupBlocks blocks that reuse a payload stored earlier
   * @param storedBlocks blocks with a payload of their own
   * @param rawBlocks stored blocks kept uncompressed (compression did not help)
   * @param storedLogicalBytes logical bytes of the stored blocks
   * @param payloadBytes bytes of their payloads in the file
   */
  public record StreamStats(String stream, long logicalBytes, long blocks, long zeroBlocks, long parentBlocks,
      long dedupBlocks, long storedBlocks, long rawBlocks, long storedLogicalBytes, long payloadBytes) {

    /** Logical bytes of stored blocks over their payload bytes. */
    public double compressionRatio() {
      return payloadBytes == 0 ? 1.0 : (double) storedLogicalBytes / payloadBytes;
    }

    /** Fraction of non-zero, non-parent blocks that were deduplicated. */
    public double dedupRatio() {
      long n = dedupBlocks + storedBlocks;
      return n == 0 ? 0 : (double) dedupBlocks / n;
    }

    /** 1 - payload bytes / logical bytes. */
    public double savings() {
      return logicalBytes == 0 ? 0 : 1.0 - (double) payloadBytes / logicalBytes;
    }
  }
}
