package io.hexz.write;

import io.hexz.format.BlockKind;

/**
 * Remembers where each distinct block payload was written, keyed by the first 64 bits of its
 * SHA-256. A hit is only a candidate: the writer compares the bytes before reusing a payload,
 * so a key collision costs a comparison, never wrong data.
 *
 * <p>Memory: open addressing over primitive arrays (20 bytes a slot), doubling up to
 * {@code capacity} entries; once full, new blocks are simply not remembered. Not thread-safe:
 * only the writer thread uses it.
 */
final class DedupTable {
  /** Largest stored length a slot holds (24 bits; a payload is at most a 1 MiB block plus its framing). */
  static final int MAX_LENGTH = 0xFFFFFF;
  private final int capacity;
  private long[] keys;
  private long[] offsets;
  private int[] lengths; // stored length | kind id << 24: packed here only, to keep a slot at 20 bytes
  private int size;

  DedupTable(int capacity) {
    this.capacity = capacity;
    allocate(1 << 12);
  }

  private void allocate(int slots) {
    keys = new long[slots];
    offsets = new long[slots];
    lengths = new int[slots];
  }

  /** Slot index of {@code key}, or a negative value (-(slot+1)) where it would go. */
  private int find(long key) {
    int mask = keys.length - 1;
    int i = (int) mix(key) & mask;
    while (true) {
      long k = keys[i];
      if (k == 0) {
        return -(i + 1);
      }
      if (k == key) {
        return i;
      }
      i = (i + 1) & mask;
    }
  }

  /** A payload already in the file: where it is, its stored length and how it is stored. */
  record Hit(long offset, int storedLength, BlockKind kind) {}

  /** The payload remembered for this key (a candidate, to be compared), or null. */
  Hit get(long key) {
    int i = find(nonZero(key));
    return i < 0 ? null : new Hit(offsets[i], lengths[i] & MAX_LENGTH, BlockKind.fromId(lengths[i] >>> 24));
  }

  /** Remembers the payload at {@code offset} for {@code key}, unless the key is known or the table is full. */
  void put(long key, long offset, int storedLength, BlockKind kind) {
    if (storedLength < 0 || storedLength > MAX_LENGTH) {
      throw new IllegalArgumentException("stored length (" + storedLength + ") must be 0.." + MAX_LENGTH);
    }
    key = nonZero(key);
    if (size >= capacity) {
      return;
    }
    if ((size + 1) * 4L > keys.length * 3L) {
      grow();
    }
    int i = find(key);
    if (i >= 0) {
      return; // keep the first payload for this key
    }
    i = -(i + 1);
    keys[i] = key;
    offsets[i] = offset;
    lengths[i] = storedLength | (kind.id() << 24);
    size++;
  }

  int size() {
    return size;
  }

  private void grow() {
    long[] k = keys;
    long[] o = offsets;
    int[] l = lengths;
    allocate(k.length * 2);
    for (int j = 0; j < k.length; j++) {
      if (k[j] != 0) {
        int i = -(find(k[j]) + 1);
        keys[i] = k[j];
        offsets[i] = o[j];
        lengths[i] = l[j];
      }
    }
  }

  private static long nonZero(long key) {
    return key == 0 ? 1 : key;
  }

  private static long mix(long x) {
    x ^= x >>> 33;
    x *= 0xff51afd7ed558ccdL;
    x ^= x >>> 33;
    return x;
  }
}
