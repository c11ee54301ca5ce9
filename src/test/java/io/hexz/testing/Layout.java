package io.hexz.testing;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Where every structure of a (good) snapshot lies, parsed by the test from the grammar in
 * FORMAT.md without the production decoders (only lz4 to open a compressed index page), so damage
 * can be aimed at each kind of structure. Immutable.
 */
public final class Layout {
  /** The kinds of structure a byte can belong to. */
  public enum Region {
    HEADER,
    ROOT_PAGE,
    INTERNAL_PAGE,
    LEAF_PAGE,
    PAYLOAD_RAW,
    PAYLOAD_LZ4,
    PAYLOAD_ZSTD,
    /** A payload of a kind without its own region here (an XOR delta, say). */
    PAYLOAD_OTHER,
    METADATA
  }

  /** [offset, offset+length) of one structure. */
  public record Extent(Region region, long offset, long length, String what) {
    public long end() {
      return offset + length;
    }
  }

  public final long fileLength;
  public final int blockShift;
  public final List<Extent> extents;

  private Layout(long fileLength, int blockShift, List<Extent> extents) {
    this.fileLength = fileLength;
    this.blockShift = blockShift;
    this.extents = List.copyOf(extents);
  }

  public List<Extent> of(Region r) {
    return extents.stream().filter(e -> e.region() == r).toList();
  }

  /** The structure holding byte {@code pos}. */
  public Extent at(long pos) {
    for (Extent e : extents) {
      if (pos >= e.offset() && pos < e.end()) {
        return e;
      }
    }
    return null;
  }

  public static Layout parse(Path file) throws IOException {
    byte[] bytes = Files.readAllBytes(file);
    ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    int shift = Byte.toUnsignedInt(b.get(20));
    long fileLength = b.getLong(24);
    long metaOffset = b.getLong(32);
    int metaLength = b.getInt(40);
    List<Extent> out = new ArrayList<>();
    out.add(new Extent(Region.HEADER, 0, 4096, "header"));
    out.add(new Extent(Region.METADATA, metaOffset, metaLength, "metadata"));
    Map<Long, Extent> payloads = new LinkedHashMap<>();
    for (int slot = 0; slot < 2; slot++) {
      int at = 128 + slot * 48;
      int kind = Byte.toUnsignedInt(b.get(at));
      if (kind == 0) {
        continue;
      }
      int depth = Byte.toUnsignedInt(b.get(at + 1));
      int rootLength = b.getInt(at + 4);
      long rootOffset = b.getLong(at + 8);
      if (depth == 0) {
        continue;
      }
      walk(b, rootOffset, rootLength, true, "stream " + kind, out, payloads);
    }
    out.addAll(payloads.values());
    out.sort(Comparator.comparingLong(Extent::offset));
    return new Layout(fileLength, shift, out);
  }

  private static final int PAGE_MAGIC = 0x58495848; // "HXIX"

  /**
   * The page held at [off, off+len): stored as is (it starts with the page magic), or in an
   * envelope {@code form:u8 reserved[3] rawLength:u32 payload} with form 0 (raw) or 1 (lz4).
   */
  private static ByteBuffer page(ByteBuffer file, long off, int len) {
    ByteBuffer b = file.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    if (b.getInt((int) off) == PAGE_MAGIC) {
      return b.slice((int) off, len).order(ByteOrder.LITTLE_ENDIAN);
    }
    int form = b.get((int) off);
    int rawLength = b.getInt((int) off + 4);
    byte[] raw = new byte[rawLength];
    if (form == 0) {
      b.get((int) off + 8, raw);
    } else {
      byte[] stored = new byte[len - 8];
      b.get((int) off + 8, stored);
      try {
        io.hexz.codec.Codec.of(io.hexz.codec.CodecType.LZ4, 0).decompress(stored, 0, stored.length, raw, 0,
            rawLength);
      } catch (io.hexz.codec.CodecException e) {
        throw new AssertionError("a good file's index page at " + off + " does not decode", e);
      }
    }
    return ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN);
  }

  private static void walk(ByteBuffer file, long off, int len, boolean root, String stream, List<Extent> out,
      Map<Long, Extent> payloads) {
    ByteBuffer b = page(file, off, len);
    int base = 0;
    int level = Byte.toUnsignedInt(b.get(base + 4));
    int count = Short.toUnsignedInt(b.getShort(base + 6));
    long first = b.getLong(base + 8);
    Region r = root ? Region.ROOT_PAGE : level == 0 ? Region.LEAF_PAGE : Region.INTERNAL_PAGE;
    out.add(new Extent(r, off, len, stream + " level " + level + " page at block " + first));
    for (int i = 0; i < count; i++) {
      if (level == 0) {
        int e = base + 16 + i * 56;
        int kind = Byte.toUnsignedInt(b.get(e));
        int stored = b.getInt(e + 4);
        long payload = b.getLong(e + 8);
        // 0 zero and 4 parent have no payload; any other kind points at bytes of this file.
        Region pr = kind == 0 || kind == 4 ? null : kind == 1 ? Region.PAYLOAD_RAW : kind == 2 ? Region.PAYLOAD_LZ4
            : kind == 3 ? Region.PAYLOAD_ZSTD : Region.PAYLOAD_OTHER;
        if (pr != null) {
          payloads.putIfAbsent(payload, new Extent(pr, payload, stored, stream + " block " + (first + i)));
        }
      } else {
        int e = base + 16 + i * 16;
        walk(file, b.getLong(e), b.getInt(e + 8), false, stream, out, payloads);
      }
    }
  }

  /** Throws unless the extents tile [0, fileLength) exactly: no gap, no overlap. */
  public void assertTilesTheFile() {
    long pos = 0;
    for (Extent e : extents) {
      if (e.offset() != pos) {
        throw new AssertionError((e.offset() > pos ? "gap" : "overlap") + " at " + pos + " before " + e);
      }
      pos = e.end();
    }
    if (pos != fileLength) {
      throw new AssertionError("structures end at " + pos + " but the file is " + fileLength + " bytes");
    }
  }
}
