package io.hexz.format;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A block trace recorded by a mount ({@code --record-trace}): which block of which stream was
 * read first, in order, and when. Written whole, atomically, by the mount; read by {@code build
 * --boot-trace}, which turns it into a {@link PrefetchPlan}. Immutable. All integers
 * little-endian.
 *
 * <pre>
 * Trace := magic[8]="HXZTRACE" version:u16=1 reserved:u16=0 blockSize:u32 identity[32] count:u32
 *          Entry[count] crc:u32            crc = CRC32C(every byte before it)
 * Entry := stream:u8 (1 disk, 2 memory) reserved[3]=0 millis:u32 block:u64     (16 bytes)
 * </pre>
 * {@code identity} is the content identity of the snapshot that was mounted, {@code millis} the
 * time of the read since the mount started, {@code block} an index in {@code blockSize} blocks
 * of that stream; each (stream, block) appears once, at its first read. At most
 * {@link #MAX_ENTRIES} entries.
 */
public record BootTrace(int blockSize, byte[] identity, List<Entry> entries) {
  public static final byte[] MAGIC = {'H', 'X', 'Z', 'T', 'R', 'A', 'C', 'E'};
  /** Most entries a trace holds: 2^20 first reads (64 GiB of 64 KiB blocks). */
  public static final int MAX_ENTRIES = 1 << 20;
  private static final int HEAD = 52;
  private static final int ENTRY = 16;

  /** One first read. */
  public record Entry(StreamKind stream, long block, int millis) {}

  public BootTrace {
    identity = identity.clone();
    entries = List.copyOf(entries);
  }

  @Override
  public byte[] identity() {
    return identity.clone();
  }

  public byte[] encode() {
    if (entries.size() > MAX_ENTRIES) {
      throw new IllegalArgumentException("a trace holds at most " + MAX_ENTRIES + " entries, not " + entries.size());
    }
    ByteBuffer b = ByteBuffer.allocate(HEAD + entries.size() * ENTRY + 4).order(ByteOrder.LITTLE_ENDIAN);
    b.put(MAGIC).putShort((short) 1).putShort((short) 0).putInt(blockSize).put(identity).putInt(entries.size());
    for (Entry e : entries) {
      b.put((byte) e.stream().id()).put(new byte[3]).putInt(e.millis()).putLong(e.block());
    }
    b.putInt(Checksums.crc32c(b.array(), 0, b.position()));
    return b.array();
  }

  /** Checks magic, version, sizes and the CRC before trusting a field. */
  public static BootTrace decode(String file, byte[] bytes) throws CorruptSnapshotException {
    ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    if (bytes.length < HEAD + 4 || !Arrays.equals(Arrays.copyOf(bytes, 8), MAGIC)) {
      throw new CorruptSnapshotException(file, "not a hexz block trace (bad magic)");
    }
    if (b.getShort(8) != 1) {
      throw new CorruptSnapshotException(file, "block trace version " + b.getShort(8) + " was made by a newer hexz");
    }
    long count = Integer.toUnsignedLong(b.getInt(48));
    if (count > MAX_ENTRIES || bytes.length != HEAD + count * ENTRY + 4) {
      throw new CorruptSnapshotException(file, "block trace of " + bytes.length + " bytes cannot hold " + count
          + " entries (at most " + MAX_ENTRIES + ")");
    }
    if (Checksums.crc32c(bytes, 0, bytes.length - 4) != b.getInt(bytes.length - 4)) {
      throw new CorruptSnapshotException(file, "block trace checksum mismatch: damaged trace");
    }
    int blockSize = b.getInt(12);
    if (blockSize <= 0 || Integer.bitCount(blockSize) != 1) {
      throw new CorruptSnapshotException(file, "block trace block size " + blockSize + " is not a power of two");
    }
    byte[] id = Arrays.copyOfRange(bytes, 16, 48);
    List<Entry> entries = new ArrayList<>((int) count);
    for (int i = 0; i < count; i++) {
      int at = HEAD + i * ENTRY;
      StreamKind k = StreamKind.fromId(b.get(at));
      long block = b.getLong(at + 8);
      if ((k != StreamKind.DISK && k != StreamKind.MEMORY) || block < 0 || block > Long.MAX_VALUE / blockSize) {
        throw new CorruptSnapshotException(file, "block trace entry " + i + " names stream " + b.get(at)
            + " block " + block);
      }
      entries.add(new Entry(k, block, b.getInt(at + 4)));
    }
    return new BootTrace(blockSize, id, entries);
  }
}
