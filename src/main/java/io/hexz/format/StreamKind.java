package io.hexz.format;

import java.util.Locale;

/** The logical streams a snapshot can hold, with their ids in the file format. Immutable. */
public enum StreamKind {
  /** The primary stream: a disk image or any large binary. */
  DISK(1),
  /** An optional VM memory dump. */
  MEMORY(2),
  /** The manifest of a directory snapshot (flag TREE): inodes, directory entries, names; see TreeManifest. */
  MANIFEST(3);

  private final int id;

  StreamKind(int id) {
    this.id = id;
  }

  public int id() {
    return id;
  }

  /** The slot this stream occupies in the header's stream table. */
  public int slot() {
    return id - 1;
  }

  public static StreamKind fromId(int id) {
    for (StreamKind k : values()) {
      if (k.id == id) {
        return k;
      }
    }
    return null;
  }

  public static StreamKind parse(String name) {
    try {
      return valueOf(name.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("unknown stream '" + name + "' (expected disk, memory or manifest)");
    }
  }

  @Override
  public String toString() {
    return name().toLowerCase(Locale.ROOT);
  }
}
