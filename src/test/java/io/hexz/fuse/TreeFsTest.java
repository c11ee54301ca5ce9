package io.hexz.fuse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hexz.Hexz;
import io.hexz.read.ReadOptions;
import io.hexz.read.Snapshot;
import io.hexz.read.Tree;
import io.hexz.testing.Child;
import io.hexz.write.Profile;
import java.nio.ByteBuffer;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.util.ArrayList;
import java.util.List;
import jnr.ffi.Pointer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import ru.serce.jnrfuse.FuseFillDir;

/** TreeFs callbacks as libfuse drives them: a readdir in pages, xattr names as jnr decodes them. */
@Timeout(120)
class TreeFsTest {
  @TempDir
  static Path dir;

  static Path snap;
  static final int ENTRIES = 1000;
  static final String XATTR = "user.ünïcødé";

  @BeforeAll
  static void build() throws Exception {
    Path src = Files.createDirectories(dir.resolve("src/many"));
    for (int i = 0; i < ENTRIES; i++) {
      Files.createFile(src.resolve(String.format("f%04d", i)));
    }
    Path x = Files.write(dir.resolve("src/x"), new byte[] {1});
    Files.getFileAttributeView(x, UserDefinedFileAttributeView.class)
        .write(XATTR.substring(5), ByteBuffer.wrap("value".getBytes(StandardCharsets.US_ASCII)));
    snap = dir.resolve("t.hxz");
    Hexz.build(dir.resolve("src"), snap, Profile.GENERIC, b -> b, null);
  }

  /**
   * libfuse's filler in offset mode: takes {@code room} entries, then reports the buffer full
   * (returns 1) as fuse_fill_dir does when the kernel's buffer has no room left.
   */
  private static final class Filler implements FuseFillDir {
    final List<String> names = new ArrayList<>();
    final int room;
    long lastOffset = -1;
    int taken;

    Filler(int room) {
      this.room = room;
    }

    @Override
    public int apply(Pointer buf, ByteBuffer name, Pointer stbuf, long off) {
      if (taken == room) {
        return 1;
      }
      assertTrue(off > lastOffset, "offsets grow: " + off + " after " + lastOffset);
      byte[] b = new byte[name.remaining() - 1];
      name.get(b);
      names.add(new String(b, StandardCharsets.UTF_8));
      lastOffset = off;
      taken++;
      return 0;
    }

    @Override
    public int apply(Pointer buf, String name, ru.serce.jnrfuse.struct.FileStat stbuf, long off) {
      byte[] b = (name + "\0").getBytes(StandardCharsets.UTF_8);
      return apply(buf, ByteBuffer.wrap(b), null, off);
    }
  }

  @Test
  void readdirHandsOutABufferAtATimeAndResumesAtTheOffset() throws Exception {
    try (Snapshot s = Hexz.open(snap, ReadOptions.DEFAULTS)) {
      TreeFs fs = new TreeFs("t", s.tree().orElseThrow(), -1, -1, 1 << 20);
      List<String> all = new ArrayList<>();
      long offset = 0;
      int calls = 0;
      while (true) {
        Filler f = new Filler(97);
        assertEquals(0, fs.readdir("/many", null, f, offset, null), "a full buffer is no error");
        calls++;
        all.addAll(f.names);
        if (f.names.isEmpty()) {
          break;
        }
        assertTrue(f.lastOffset > 0, "every entry carries the offset of the next (offset mode)");
        offset = f.lastOffset;
      }
      assertEquals(ENTRIES + 2, all.size(), "each entry exactly once");
      assertEquals(List.of(".", ".."), all.subList(0, 2));
      for (int i = 0; i < ENTRIES; i++) {
        assertEquals(String.format("f%04d", i), all.get(i + 2));
      }
      assertTrue(calls > ENTRIES / 97, "asked " + calls + " times");
    }
  }

  /** Runs in a JVM whose default charset is ISO-8859-1, as the mount process (MountCommand). */
  public static void main(String[] args) throws Exception {
    try (Snapshot s = Hexz.open(Path.of(args[0]), ReadOptions.DEFAULTS)) {
      Tree t = s.tree().orElseThrow();
      TreeFs fs = new TreeFs("t", t, -1, -1, 1 << 20);
      // jnr turns the kernel's name bytes into a String with the default charset.
      String fromKernel = new String(XATTR.getBytes(StandardCharsets.UTF_8), Charset.defaultCharset());
      System.out.println(Charset.defaultCharset() + " " + fs.getxattr("/x", fromKernel, null, 0));
    }
  }

  @Test
  void aNonAsciiXattrNameIsFoundInTheMountProcessCharset() throws Exception {
    Child c = Child.run(List.of(Child.java(), "-Dfile.encoding=ISO-8859-1", "-cp", System.getProperty("java.class.path"),
        TreeFsTest.class.getName(), snap.toString()));
    assertEquals(0, c.code(), c.describe());
    assertEquals("ISO-8859-1 5", new String(c.out(), StandardCharsets.UTF_8).trim(), c.describe());
  }
}
