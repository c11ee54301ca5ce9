import com.sun.nio.file.ExtendedOpenOption;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A model-based file exerciser in the spirit of xfstests' fsx, for hexz's writable mount
 * ({@code MNT/disk}) or any fixed-size file. Single-file source program (Java 17 launcher):
 *
 * <pre>
 * java native-test/fsx/Fsx.java --file MNT/disk [--model INITIAL] [--save-model OUT]
 *      [--seed N] [--ops N] [--mode all|buffered|direct|mmap] [--check-every N]
 *      [--max-len BYTES] [--block BYTES] [--size BYTES] [--verify-only]
 * </pre>
 *
 * <p>The model is a byte[] holding what the file must contain. Random reads and writes of random
 * sizes and alignments (unaligned, straddling 4 KiB pages, straddling snapshot blocks of
 * {@code --block} bytes, touching the end of the file) go through three paths: buffered
 * positional FileChannel I/O, O_DIRECT ({@link ExtendedOpenOption#DIRECT}: aligned buffers,
 * offsets and lengths) and a shared READ_WRITE mapping; fsync, fdatasync, {@code force()} of the
 * mapping and reopening of the channels are interleaved. Every read is compared with the model at
 * once, and the whole file every {@code --check-every} operations and at the end, through each
 * path in turn. O_DIRECT reaches whole units of its alignment (the file
 * store's block size); a partial last unit is left to the other paths. There is no truncate or
 * extend: hexz's block files have a fixed size.
 *
 * <p>{@code --model} gives the expected initial content (else the file's own content is taken as
 * the truth); {@code --save-model} writes the model at the end, for a later {@code --verify-only}
 * run (e.g. after a remount) or a further run. {@code --size} creates a missing file with random
 * content (to check the exerciser itself on a local file system).
 *
 * <p>On a mismatch or an I/O error it prints the seed, the operation number, the operation, its
 * offset and length, the first differing offset and the last 50 operations, and exits with 1.
 * Bad arguments exit with 2. Everything is single-threaded, so a seed replays the same operations.
 */
public final class Fsx {
  private static final int PAGE = 4096;
  private static final int LOG_SIZE = 50;

  private enum Kind { BUFFERED, DIRECT, MMAP }

  /** A failed check: what differs, where. */
  private static final class Mismatch extends Exception {
    Mismatch(String message) {
      super(message);
    }
  }

  private final Path file;
  private final long seed;
  private final SplittableRandom rnd;
  private final int block;
  private final int maxLen;
  private final byte[] model;
  private final int size;
  private final List<Kind> kinds = new ArrayList<>();
  private final ArrayDeque<String> log = new ArrayDeque<>();
  private final PrintStream out = System.out;

  private FileChannel buffered;
  private FileChannel direct;
  private FileChannel mapChannel;
  private MappedByteBuffer map;
  private int align = PAGE;
  private int directSize; // the part of the file O_DIRECT reaches: whole units of align
  private ByteBuffer directBuf;
  private long opNo;
  private String op = "start";
  private long opOff;
  private long opLen;
  private final long[] counts = new long[16];
  private long bytesWritten;

  private Fsx(Path file, long seed, int block, int maxLen, byte[] model) {
    this.file = file;
    this.seed = seed;
    this.rnd = new SplittableRandom(seed);
    this.block = block;
    this.maxLen = maxLen;
    this.model = model;
    this.size = model.length;
  }

  public static void main(String[] args) throws Exception {
    Path file = null;
    Path modelIn = null;
    Path modelOut = null;
    long seed = System.nanoTime() ^ System.currentTimeMillis() * 31;
    long ops = 10_000;
    String mode = "all";
    int checkEvery = 500;
    int maxLen = 256 << 10;
    int block = 64 << 10;
    long createSize = -1;
    boolean verifyOnly = false;
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      if (a.equals("--verify-only")) {
        verifyOnly = true;
        continue;
      }
      if (i + 1 >= args.length) {
        usage("missing value after " + a);
      }
      String v = args[++i];
      switch (a) {
        case "--file" -> file = Path.of(v);
        case "--model" -> modelIn = Path.of(v);
        case "--save-model" -> modelOut = Path.of(v);
        case "--seed" -> seed = Long.parseLong(v);
        case "--ops" -> ops = Long.parseLong(v);
        case "--mode" -> mode = v;
        case "--check-every" -> checkEvery = Integer.parseInt(v);
        case "--max-len" -> maxLen = Integer.parseInt(v);
        case "--block" -> block = Integer.parseInt(v);
        case "--size" -> createSize = Long.parseLong(v);
        default -> usage("unknown option " + a);
      }
    }
    if (file == null) {
      usage("--file is required");
    }
    if (!List.of("all", "buffered", "direct", "mmap").contains(mode)) {
      usage("--mode must be all, buffered, direct or mmap, not " + mode);
    }
    if (maxLen < PAGE || block < PAGE || checkEvery < 1 || ops < 0) {
      usage("--max-len and --block must be at least 4096, --check-every at least 1, --ops not negative");
    }
    if (createSize >= 0 && !Files.exists(file)) {
      byte[] init = new byte[checkedSize(createSize, file)];
      new SplittableRandom(seed ^ 0x5eed).nextBytes(init);
      Files.write(file, init);
    }
    long fileSize = Files.size(file);
    int n = checkedSize(fileSize, file);
    byte[] model;
    if (modelIn != null) {
      model = Files.readAllBytes(modelIn);
      if (model.length != n) {
        usage(modelIn + " has " + model.length + " bytes, " + file + " has " + n);
      }
    } else {
      model = Files.readAllBytes(file);
    }
    Fsx f = new Fsx(file, seed, block, Math.min(maxLen, n), model);
    f.out.printf("fsx: %s, %d bytes, seed %d, %d ops, mode %s, max length %d, block %d%n",
        file, n, seed, verifyOnly ? 0 : ops, mode, f.maxLen, block);
    int rc = f.run(mode, verifyOnly ? 0 : ops, checkEvery, modelIn != null || verifyOnly);
    if (rc == 0 && modelOut != null) {
      Files.write(modelOut, model);
    }
    System.exit(rc);
  }

  private static int checkedSize(long s, Path file) {
    if (s < 2 * PAGE || s > Integer.MAX_VALUE - 8) {
      usage(file + ": size " + s + " must be between 8 KiB and 2 GiB");
    }
    return (int) s;
  }

  private static void usage(String why) {
    System.err.println("fsx: " + why);
    System.exit(2);
  }

  /** Opens the paths, runs the operations and the checks; returns the exit status. */
  private int run(String mode, long ops, int checkEvery, boolean checkFirst) throws IOException {
    long t0 = System.nanoTime();
    buffered = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
    if (mode.equals("all") || mode.equals("buffered")) {
      kinds.add(Kind.BUFFERED);
    }
    if (mode.equals("all") || mode.equals("direct")) {
      openDirect();
    }
    if (mode.equals("all") || mode.equals("mmap")) {
      openMap();
    }
    if (kinds.isEmpty()) {
      out.println("fsx: FAIL: the requested mode " + mode + " is not supported here (see above)");
      return 1;
    }
    out.println("fsx: paths " + kinds + (direct == null ? "" : ", O_DIRECT alignment " + align
        + (directSize == size ? "" : ", the last " + (size - directSize) + " bytes (a partial unit) not through O_DIRECT")));
    try {
      if (checkFirst) {
        op = "initial full compare";
        for (Kind k : kinds) {
          fullCompare(k);
        }
      }
      for (opNo = 1; opNo <= ops; opNo++) {
        step();
        if (opNo % checkEvery == 0) {
          Kind k = kinds.get((int) (opNo / checkEvery % kinds.size()));
          op = "periodic full compare (" + k + ")";
          fullCompare(k);
        }
      }
      opNo = ops + 1;
      op = "final full compare";
      for (Kind k : kinds) {
        fullCompare(k);
      }
    } catch (Mismatch | IOException | RuntimeException | InternalError e) { // InternalError: SIGBUS in a mapping
      report(e);
      return 1;
    }
    double secs = (System.nanoTime() - t0) / 1e9;
    out.printf("fsx: ok: seed %d, %d ops in %.1f s (%s), %d bytes written; file equals the model%n",
        seed, ops, secs, summary(), bytesWritten);
    return 0;
  }

  private void openDirect() {
    try {
      long bs = Files.getFileStore(file).getBlockSize();
      align = (int) Math.max(PAGE, bs);
      directSize = size / align * align;
      direct = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE, ExtendedOpenOption.DIRECT);
      directBuf = ByteBuffer.allocateDirect(maxLen + 2 * align).alignedSlice(align);
      kinds.add(Kind.DIRECT);
    } catch (IOException | UnsupportedOperationException e) {
      out.println("fsx: SKIP O_DIRECT: opening " + file + " with O_DIRECT failed: " + e);
    }
  }

  private void openMap() {
    try {
      mapChannel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
      map = mapChannel.map(FileChannel.MapMode.READ_WRITE, 0, size);
      kinds.add(Kind.MMAP);
    } catch (IOException | UnsupportedOperationException e) {
      out.println("fsx: SKIP mmap: a shared READ_WRITE mapping of " + file + " failed: " + e);
    }
  }

  /** One random operation. */
  private void step() throws IOException, Mismatch {
    Kind k = kinds.get(rnd.nextInt(kinds.size()));
    int r = rnd.nextInt(100);
    if (r < 40) {
      read(k);
    } else if (r < 85) {
      write(k);
    } else if (r < 91) {
      sync(k);
    } else if (r < 95) {
      syncOther();
    } else {
      reopen(k);
    }
  }

  /** A random length and offset: unaligned, page- or block-straddling, or at the end of the file. */
  private long[] range(Kind k) {
    int len;
    int shape = rnd.nextInt(10);
    if (shape < 4) {
      len = 1 + rnd.nextInt(Math.min(maxLen, 2 * PAGE));
    } else if (shape < 8) {
      len = 1 + rnd.nextInt(Math.min(maxLen, 2 * block));
    } else {
      len = 1 + rnd.nextInt(maxLen);
    }
    long off;
    int where = rnd.nextInt(10);
    if (where < 3) {
      off = rnd.nextLong(size);
    } else if (where < 5) {
      off = boundary(PAGE) - rnd.nextInt(Math.min(len, PAGE) + 1); // straddles or ends on a page boundary
    } else if (where < 8) {
      off = boundary(block) - rnd.nextInt(Math.min(len, block) + 1);
    } else {
      off = size - len + (rnd.nextInt(4) == 0 ? 0 : -rnd.nextInt(PAGE)); // at or near the end
    }
    if (k == Kind.DIRECT) {
      len = Math.min(directSize, Math.max(align, len / align * align));
      off = Math.max(0, Math.min(off / align * align, directSize - len));
    }
    off = Math.max(0, Math.min(off, size - len));
    return new long[] {off, len};
  }

  private long boundary(int unit) {
    return (long) (1 + rnd.nextInt(Math.max(1, size / unit))) * unit;
  }

  private void read(Kind k) throws IOException, Mismatch {
    long[] r = range(k);
    int off = (int) r[0];
    int len = (int) r[1];
    begin("read " + k, off, len);
    byte[] got = readRange(k, off, len);
    compare(got, off, len);
    counts[k.ordinal()]++;
  }

  private byte[] readRange(Kind k, int off, int len) throws IOException {
    byte[] got = new byte[len];
    switch (k) {
      case BUFFERED -> {
        ByteBuffer b = ByteBuffer.wrap(got);
        while (b.hasRemaining()) {
          if (buffered.read(b, off + b.position()) < 0) {
            throw new IOException("buffered read: end of file at " + (off + b.position()));
          }
        }
      }
      case DIRECT -> {
        for (int done = 0; done < len; ) {
          int n = Math.min(len - done, directBuf.capacity() / align * align);
          ByteBuffer b = directBuf.clear().limit(n);
          while (b.hasRemaining()) {
            if (direct.read(b, off + done + b.position()) < 0) {
              throw new IOException("O_DIRECT read: end of file at " + (off + done + b.position()));
            }
          }
          b.flip().get(got, done, n);
          done += n;
        }
      }
      case MMAP -> map.get(off, got, 0, len);
      default -> throw new AssertionError(k);
    }
    return got;
  }

  private void write(Kind k) throws IOException {
    long[] r = range(k);
    int off = (int) r[0];
    int len = (int) r[1];
    byte[] data = new byte[len];
    int fill = rnd.nextInt(10);
    if (fill == 0) {
      Arrays.fill(data, (byte) 0); // zero runs: a store may treat them specially
    } else if (fill == 1) {
      Arrays.fill(data, (byte) opNo); // an easily recognised pattern in hex dumps
    } else {
      rnd.nextBytes(data);
    }
    begin("write " + k, off, len);
    switch (k) {
      case BUFFERED -> {
        ByteBuffer b = ByteBuffer.wrap(data);
        while (b.hasRemaining()) {
          buffered.write(b, off + b.position());
        }
      }
      case DIRECT -> {
        for (int done = 0; done < len; ) {
          int n = Math.min(len - done, directBuf.capacity() / align * align);
          ByteBuffer b = directBuf.clear();
          b.put(data, done, n).flip();
          while (b.hasRemaining()) {
            direct.write(b, off + done + b.position());
          }
          done += n;
        }
      }
      case MMAP -> map.put(off, data, 0, len);
      default -> throw new AssertionError(k);
    }
    System.arraycopy(data, 0, model, off, len);
    bytesWritten += len;
    counts[3 + k.ordinal()]++;
  }

  /** fsync / fdatasync of the path's channel, or force() of (a range of) the mapping. */
  private void sync(Kind k) throws IOException {
    boolean meta = rnd.nextBoolean();
    switch (k) {
      case BUFFERED -> {
        begin(meta ? "fsync buffered" : "fdatasync buffered", 0, 0);
        buffered.force(meta);
      }
      case DIRECT -> {
        begin(meta ? "fsync direct" : "fdatasync direct", 0, 0);
        direct.force(meta);
      }
      case MMAP -> {
        if (meta) {
          begin("msync whole mapping", 0, size);
          map.force();
        } else {
          long[] r = range(k);
          begin("msync range", r[0], r[1]);
          map.force((int) r[0], (int) r[1]);
        }
      }
      default -> throw new AssertionError(k);
    }
    counts[6 + k.ordinal()]++;
  }

  /** An fsync through a descriptor other than the writer's: it must flush the mapping's dirty pages too. */
  private void syncOther() throws IOException {
    begin("fsync of the plain descriptor", 0, 0);
    buffered.force(true);
    counts[9]++;
  }

  /**
   * Closes and reopens a path's channel. A FUSE open without keep_cache drops the file's page
   * cache, so this makes later buffered and mapped reads reach the file system again. The mapping
   * itself stays (Java cannot unmap it), only its descriptor is closed.
   */
  private void reopen(Kind k) throws IOException {
    begin("reopen " + k, 0, 0);
    switch (k) {
      case BUFFERED -> {
        buffered.close();
        buffered = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
      }
      case DIRECT -> {
        direct.close();
        direct = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE, ExtendedOpenOption.DIRECT);
      }
      case MMAP -> {
        if (mapChannel != null) {
          mapChannel.close();
          mapChannel = null;
        }
      }
      default -> throw new AssertionError(k);
    }
    counts[10]++;
  }

  private void fullCompare(Kind k) throws IOException, Mismatch {
    int chunk = k == Kind.DIRECT ? Math.max(align, maxLen / align * align) : 1 << 20;
    int end = k == Kind.DIRECT ? directSize : size;
    for (int off = 0; off < end; off += chunk) {
      int len = Math.min(chunk, end - off);
      opOff = off;
      opLen = len;
      compare(readRange(k, off, len), off, len);
    }
    if (end < size) {
      opOff = end;
      opLen = size - end;
      compare(readRange(Kind.BUFFERED, end, size - end), end, size - end);
    }
    counts[11]++;
  }

  private void begin(String what, long off, long len) {
    op = what;
    opOff = off;
    opLen = len;
    if (log.size() == LOG_SIZE) {
      log.removeFirst();
    }
    log.addLast(String.format("#%d %s off=%d (0x%x) len=%d end=0x%x", opNo, what, off, off, len, off + len));
  }

  private void compare(byte[] got, int off, int len) throws Mismatch {
    int d = Arrays.mismatch(got, 0, len, model, off, off + len);
    if (d >= 0) {
      int last = d;
      for (int i = d; i < len; i++) {
        if (got[i] != model[off + i]) {
          last = i;
        }
      }
      throw new Mismatch(String.format(
          "first mismatch at file offset %d (0x%x): read 0x%02x, model 0x%02x; last mismatch at %d (0x%x)",
          off + d, off + d, got[d] & 0xff, model[off + d] & 0xff, off + last, off + last));
    }
  }

  private void report(Throwable e) {
    out.printf("fsx: FAIL: seed %d, op %d: %s off=%d (0x%x) len=%d%n", seed, opNo, op, opOff, opOff, opLen);
    out.println("fsx: " + (e instanceof Mismatch ? e.getMessage() : e.toString()));
    out.println("fsx: last " + log.size() + " operations:");
    for (String s : log) {
      out.println("  " + s);
    }
    out.println("fsx: replay with --seed " + seed);
  }

  private String summary() {
    return String.format("reads buffered/direct/mmap %d/%d/%d, writes %d/%d/%d, syncs %d/%d/%d, "
        + "cross-fsyncs %d, reopens %d, full compares %d", counts[0], counts[1], counts[2], counts[3],
        counts[4], counts[5], counts[6], counts[7], counts[8], counts[9], counts[10], counts[11]);
  }
}
