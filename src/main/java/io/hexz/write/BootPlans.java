package io.hexz.write;

import io.hexz.format.BootTrace;
import io.hexz.format.PrefetchPlan;
import io.hexz.format.StreamKind;
import java.io.EOFException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Turns a boot trace into a snapshot's prefetch plan and lays the plan's blocks out first.
 * Stateless.
 */
public final class BootPlans {
  private BootPlans() {}

  /** Reads {@code length} bytes at {@code offset} of a stream's source into {@code dst}. */
  public interface Source {
    void readFully(long offset, byte[] dst, int length) throws IOException;
  }

  /**
   * The plan for a snapshot of {@code blockSize} blocks whose streams have {@code sizes}: every
   * traced block mapped onto this block size (a traced block covers one or more of these, or
   * part of one), in first-read order, each once; blocks past a stream's end are dropped, and the
   * plan stops at {@link PrefetchPlan#MAX_ENTRIES}.
   */
  public static PrefetchPlan plan(BootTrace trace, int blockSize, Map<StreamKind, Long> sizes) {
    List<StreamKind> kinds = new ArrayList<>();
    List<Long> blocks = new ArrayList<>();
    Set<Long> seen = new HashSet<>();
    long tbs = trace.blockSize();
    for (BootTrace.Entry e : trace.entries()) {
      Long size = sizes.get(e.stream());
      if (size == null) {
        continue;
      }
      long from = e.block() * tbs;
      long to = Math.min(size, from + tbs);
      for (long b = from / blockSize; b * blockSize < to && blocks.size() < PrefetchPlan.MAX_ENTRIES; b++) {
        if (seen.add(b << 1 | (e.stream() == StreamKind.MEMORY ? 1 : 0))) {
          kinds.add(e.stream());
          blocks.add(b);
        }
      }
    }
    return PrefetchPlan.of(kinds.toArray(new StreamKind[0]), blocks.stream().mapToLong(Long::longValue).toArray());
  }

  /** A device as a source. */
  public static Source of(io.hexz.read.BlockDevice d) {
    return (offset, dst, length) -> {
      java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(dst, 0, length);
      while (b.hasRemaining()) {
        if (d.read(b, offset + b.position()) < 0) {
          throw new EOFException("device ends at " + (offset + b.position()));
        }
      }
    };
  }

  /** A file channel as a source (positional reads: the channel's position is left alone). */
  public static Source of(java.nio.channels.FileChannel c) {
    return (offset, dst, length) -> {
      java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(dst, 0, length);
      while (b.hasRemaining()) {
        if (c.read(b, offset + b.position()) < 0) {
          throw new EOFException("file ends at " + (offset + b.position()));
        }
      }
    };
  }

  /** Stores the plan's blocks of stream {@code kind} first, in plan order ({@link SnapshotWriter.StreamSink#placeFirst}). */
  public static void placeFirst(PrefetchPlan plan, StreamKind kind, long size, int blockSize,
      SnapshotWriter.StreamSink sink, Source source) throws IOException {
    byte[] buf = new byte[blockSize];
    for (int i = 0; i < plan.size(); i++) {
      if (plan.stream(i) != kind) {
        continue;
      }
      long at = plan.block(i) * blockSize;
      int len = (int) Math.min(blockSize, size - at);
      if (len <= 0) {
        continue; // past the end (a disk shrunk since the trace): nothing to place
      }
      source.readFully(at, buf, len);
      sink.placeFirst(plan.block(i), buf, len);
    }
  }

  /**
   * The plan for a copy of {@code from} ({@code flatten}, {@code commit}) written with {@code o}:
   * from {@code o}'s boot trace if it has one, else {@code from}'s own plan (or its nearest
   * parent's), mapped onto {@code o}'s block size; stored in {@code w}. Null when there is none.
   */
  public static PrefetchPlan planFor(WriteOptions o, SnapshotWriter w, io.hexz.read.Snapshot from) {
    Map<StreamKind, Long> sizes = new java.util.EnumMap<>(StreamKind.class);
    from.stream(StreamKind.DISK).ifPresent(d -> sizes.put(StreamKind.DISK, d.size()));
    from.stream(StreamKind.MEMORY).ifPresent(d -> sizes.put(StreamKind.MEMORY, d.size()));
    BootTrace trace = o.bootTrace();
    if (trace == null) {
      PrefetchPlan own = io.hexz.read.Snapshots.prefetchPlan(from).orElse(null);
      if (own == null) {
        return null;
      }
      List<BootTrace.Entry> entries = new ArrayList<>(own.size());
      for (int i = 0; i < own.size(); i++) {
        entries.add(new BootTrace.Entry(own.stream(i), own.block(i), 0));
      }
      trace = new BootTrace(from.header().blockSize(), from.header().identity(), entries);
    }
    PrefetchPlan plan = plan(trace, o.blockSize(), sizes);
    w.prefetchPlan(plan);
    return plan;
  }

  /** {@link #placeFirst(PrefetchPlan, StreamKind, long, int, SnapshotWriter.StreamSink, Source)} from a device; nothing without a plan. */
  public static void placeFirst(PrefetchPlan plan, StreamKind kind, io.hexz.read.BlockDevice d, int blockSize,
      SnapshotWriter.StreamSink sink) throws IOException {
    if (plan != null) {
      placeFirst(plan, kind, d.size(), blockSize, sink, of(d));
    }
  }
}
