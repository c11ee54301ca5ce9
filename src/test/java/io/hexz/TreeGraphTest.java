package io.hexz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hexz.format.CorruptSnapshotException;
import io.hexz.format.TreeManifest;
import io.hexz.read.ReadOptions;
import io.hexz.read.Snapshot;
import io.hexz.read.Tree;
import io.hexz.testing.CraftedTree;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A small manifest must not make extract or a walk unbounded: the directory graph is a tree (one
 * parent per directory, no loops) and a walk meets at most the manifest's dirents.
 */
// A separate thread: before the fix an extract ignores interrupts and would run for ever.
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class TreeGraphTest {
  @TempDir
  Path dir;

  private static final int DIR = TreeManifest.S_IFDIR | 0755;
  private static final int FILE = TreeManifest.S_IFREG | 0644;

  private CorruptSnapshotException extractFails(Path snap) throws IOException {
    try (Snapshot s = Hexz.open(snap, ReadOptions.DEFAULTS)) {
      Path out = dir.resolve("out");
      CorruptSnapshotException e = assertThrows(CorruptSnapshotException.class,
          () -> Hexz.extract(s, List.of(), out, w -> {}));
      assertTrue(e.getMessage().contains(snap.toString()), e.getMessage());
      return e;
    }
  }

  private static long count(Path p) throws IOException {
    try (Stream<Path> s = Files.walk(p)) {
      return s.count();
    }
  }

  /** 40 levels, each directory named twice by its parent: 2^40 paths from about 2 KB. */
  @Test
  void aDirectoryWithTwoParentsIsRefused() throws Exception {
    CraftedTree t = new CraftedTree();
    long parent = 1;
    for (int i = 0; i < 40; i++) {
      long d = t.add(DIR);
      t.entries(parent, List.of("x", "y"), List.of(d, d));
      parent = d;
    }
    Path snap = t.write(dir.resolve("dag.hxz"));
    CorruptSnapshotException e = extractFails(snap);
    assertTrue(e.getMessage().contains("more than one parent"), e.getMessage());
    assertTrue(count(dir.resolve("out")) < 100, "stopped at the second visit, wrote " + count(dir.resolve("out")));
    // What a mount resolves: the second name of the same directory is damage too.
    try (Snapshot s = Hexz.open(snap, ReadOptions.DEFAULTS)) {
      Tree tree = s.tree().orElseThrow();
      assertTrue(tree.resolve("x").isPresent());
      e = assertThrows(CorruptSnapshotException.class, () -> tree.resolve("y"));
      assertTrue(e.getMessage().contains("more than one parent"), e.getMessage());
    }
  }

  /** Two directories naming one subdirectory: found by lookups in either order. */
  @Test
  void aDirectoryInTwoDirectoriesIsRefusedByLookups() throws Exception {
    CraftedTree t = new CraftedTree();
    long a = t.add(DIR);
    long b = t.add(DIR);
    long shared = t.add(DIR);
    t.entries(1, List.of("a", "b"), List.of(a, b));
    t.entries(a, List.of("s"), List.of(shared));
    t.entries(b, List.of("s"), List.of(shared));
    Path snap = t.write(dir.resolve("two.hxz"));
    for (String[] order : new String[][] {{"a/s", "b/s"}, {"b/s", "a/s"}}) {
      try (Snapshot s = Hexz.open(snap, ReadOptions.DEFAULTS)) {
        Tree tree = s.tree().orElseThrow();
        assertTrue(tree.resolve(order[0]).isPresent());
        assertTrue(tree.resolve(order[0]).isPresent(), "the same path again is fine");
        CorruptSnapshotException e = assertThrows(CorruptSnapshotException.class, () -> tree.resolve(order[1]));
        assertTrue(e.getMessage().contains("more than one parent") && e.getMessage().contains(snap.toString()),
            e.getMessage());
      }
    }
  }

  @Test
  void anEntryBackToTheRootOrAnAncestorIsRefused() throws Exception {
    CraftedTree t = new CraftedTree();
    long a = t.add(DIR);
    t.entries(1, List.of("a"), List.of(a));
    t.entries(a, List.of("loop"), List.of(1L));
    Path snap = t.write(dir.resolve("loop.hxz"));
    CorruptSnapshotException e = extractFails(snap);
    assertTrue(e.getMessage().contains("loop"), e.getMessage());
    try (Snapshot s = Hexz.open(snap, ReadOptions.DEFAULTS)) {
      Tree tree = s.tree().orElseThrow();
      assertTrue(tree.resolve("a").isPresent());
      assertThrows(CorruptSnapshotException.class, () -> tree.resolve("a/loop/a/loop"), "lookup refuses the loop too");
    }
    // Two directories naming each other below the root: also a loop, not only a way back to inode 1.
    CraftedTree u = new CraftedTree();
    long b = u.add(DIR);
    long c = u.add(DIR);
    u.entries(1, List.of("b"), List.of(b));
    u.entries(b, List.of("c"), List.of(c));
    u.entries(c, List.of("b"), List.of(b));
    extractFails(u.write(dir.resolve("loop2.hxz")));
  }

  /**
   * 1500 directories that all point at one run of 1500 entries: 2.25 million files from 48 KB of
   * dirents. Every directory has one parent; what is wrong is that they share dirents.
   */
  @Test
  void directoriesSharingOneRunOfDirentsAreRefused() throws Exception {
    int k = 1500;
    CraftedTree t = new CraftedTree();
    long file = t.add(FILE);
    t.node(file).nlink = k * k;
    List<String> names = new ArrayList<>();
    List<Long> dirs = new ArrayList<>();
    for (int i = 0; i < k; i++) {
      names.add(String.format("%05d", i));
      dirs.add(t.add(DIR));
    }
    t.entries(1, names, dirs);
    long shared = t.direntCount();
    for (int i = 0; i < k; i++) {
      t.dirent(names.get(i), file);
    }
    for (long d : dirs) {
      t.node(d).ref = shared;
      t.node(d).size = k;
    }
    Path snap = t.write(dir.resolve("shared.hxz"));
    CorruptSnapshotException e = extractFails(snap);
    assertTrue(e.getMessage().contains("share dirents"), e.getMessage());
    assertTrue(count(dir.resolve("out")) <= 2 * k + 2, "wrote no more than the manifest holds: " + count(dir.resolve("out")));
  }

  @Test
  void aWellFormedCraftedTreeExtracts() throws Exception {
    CraftedTree t = new CraftedTree();
    long a = t.add(DIR);
    long f = t.add(FILE);
    t.node(f).nlink = 2;
    t.entries(1, List.of("a", "f"), List.of(a, f));
    t.entries(a, List.of("g"), List.of(f));
    try (Snapshot s = Hexz.open(t.write(dir.resolve("ok.hxz")), ReadOptions.DEFAULTS)) {
      assertEquals(4, Hexz.extract(s, List.of(), dir.resolve("ok"), w -> {}));
      assertEquals(4, Hexz.extract(s, List.of("a", "a"), dir.resolve("ok2"), w -> {}), "a path twice is no second parent");
    }
    assertTrue(Files.isRegularFile(dir.resolve("ok/a/g")) && Files.isRegularFile(dir.resolve("ok/f")));
  }
}
