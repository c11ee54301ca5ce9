package io.hexz.write;

/** What a finished writer did, for reports. Written by the writer thread only. */
public final class WriteStats {
  long logicalBytes;
  long payloadBytes;
  long indexBytes;
  long fileBytes;
  long zeroBlocks;
  long dedupBlocks;
  long storedBlocks;
  long rawBlocks;
  long parentBlocks;
  byte[] identity;

  public long logicalBytes() {
    return logicalBytes;
  }

  public long payloadBytes() {
    return payloadBytes;
  }

  public long indexBytes() {
    return indexBytes;
  }

  public long fileBytes() {
    return fileBytes;
  }

  public long zeroBlocks() {
    return zeroBlocks;
  }

  public long dedupBlocks() {
    return dedupBlocks;
  }

  public long storedBlocks() {
    return storedBlocks;
  }

  public long rawBlocks() {
    return rawBlocks;
  }

  /** Blocks stored as references to the parent (thin snapshots). */
  public long parentBlocks() {
    return parentBlocks;
  }

  public byte[] identity() {
    return identity == null ? null : identity.clone();
  }
}
