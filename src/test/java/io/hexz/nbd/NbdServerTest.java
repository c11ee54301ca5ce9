package io.hexz.nbd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hexz.Hexz;
import io.hexz.codec.CodecType;
import io.hexz.read.ReadOptions;
import io.hexz.read.Snapshot;
import io.hexz.testing.Seeds;
import io.hexz.testing.Snaps;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The NBD server's framing against a client written here byte by byte: a well-behaved session
 * (handshake, GO, structured read, block status), and clients that break the protocol (random
 * bytes, wrong magics, oversized options and requests, requests outside the export, stalls),
 * each of which may lose only its own connection while other clients are served.
 */
class NbdServerTest {
  private static final Duration BOUND = Duration.ofSeconds(60);
  private static final long SEED = Seeds.random(NbdServerTest.class);
  private static final int BLOCK = 64 * 1024;

  @TempDir
  Path dir;
  private Snapshot snap;
  private NbdServer server;
  private Path socket;
  private byte[] disk;

  @BeforeEach
  void start() throws IOException {
    disk = new byte[40 * BLOCK];
    new Random(SEED).nextBytes(disk);
    Arrays.fill(disk, 10 * BLOCK, 30 * BLOCK, (byte) 0); // stored as zero blocks
    Path file = dir.resolve("d.hxz");
    Snaps.write(file, Snaps.options(BLOCK, CodecType.LZ4, 1, true).build(), disk);
    snap = Hexz.open(file, ReadOptions.DEFAULTS);
    socket = dir.resolve("nbd.sock");
    server = NbdServer.start(UnixDomainSocketAddress.of(socket),
        List.of(new NbdExport("", "test", snap.disk()), new NbdExport("other", "", snap.disk())), 8);
  }

  @AfterEach
  void stop() throws IOException {
    server.close();
    snap.close();
  }

  /** A client that has sent its flags after the greeting. */
  private final class Client implements AutoCloseable {
    final SocketChannel ch;
    final DataInputStream in;
    final DataOutputStream out;

    Client() throws IOException {
      ch = SocketChannel.open(UnixDomainSocketAddress.of(socket));
      in = new DataInputStream(Channels.newInputStream(ch));
      out = new DataOutputStream(Channels.newOutputStream(ch));
      assertEquals(Nbd.NBDMAGIC, in.readLong());
      assertEquals(Nbd.IHAVEOPT, in.readLong());
      assertEquals(Nbd.FLAG_FIXED_NEWSTYLE | Nbd.FLAG_NO_ZEROES, in.readShort());
    }

    void flags(int f) throws IOException {
      out.writeInt(f);
    }

    void option(int opt, byte[] data) throws IOException {
      out.writeLong(Nbd.IHAVEOPT);
      out.writeInt(opt);
      out.writeInt(data.length);
      out.write(data);
    }

    /** Reads one option reply; returns {type, length} and leaves its data in {@link #last}. */
    int reply(int opt) throws IOException {
      assertEquals(Nbd.OPTION_REPLY_MAGIC, in.readLong());
      assertEquals(opt, in.readInt());
      int type = in.readInt();
      last = new byte[in.readInt()];
      in.readFully(last);
      return type;
    }

    byte[] last;

    void go(String name) throws IOException {
      byte[] n = name.getBytes(StandardCharsets.UTF_8);
      option(Nbd.OPT_GO, ByteBuffer.allocate(6 + n.length).putInt(n.length).put(n).putShort((short) 0).array());
      int t;
      while ((t = reply(Nbd.OPT_GO)) == Nbd.REP_INFO) {
        // export and block size info
      }
      assertEquals(Nbd.REP_ACK, t);
    }

    void request(int type, int flags, long cookie, long offset, int length) throws IOException {
      out.writeInt(Nbd.REQUEST_MAGIC);
      out.writeShort(flags);
      out.writeShort(type);
      out.writeLong(cookie);
      out.writeLong(offset);
      out.writeInt(length);
    }

    /** A simple reply's error, after checking its magic and cookie. */
    int simpleError(long cookie) throws IOException {
      assertEquals(Nbd.SIMPLE_REPLY_MAGIC, in.readInt());
      int err = in.readInt();
      assertEquals(cookie, in.readLong());
      return err;
    }

    /** True when the server has closed the connection (EOF within the bound). */
    boolean closedByServer() {
      try {
        while (in.read() >= 0) {
          // drain whatever the server sent before closing
        }
        return true;
      } catch (IOException e) {
        return true;
      }
    }

    @Override
    public void close() throws IOException {
      ch.close();
    }
  }

  /** Another client still gets exact bytes: what every misbehaving client must leave intact. */
  private void othersAreStillServed() throws IOException {
    try (Client c = new Client()) {
      c.flags(Nbd.FLAG_FIXED_NEWSTYLE | Nbd.FLAG_NO_ZEROES);
      c.go("");
      c.request(Nbd.CMD_READ, 0, 7, 3 * BLOCK + 5, 1000);
      assertEquals(0, c.simpleError(7));
      byte[] got = new byte[1000];
      c.in.readFully(got);
      assertArrayEquals(Arrays.copyOfRange(disk, 3 * BLOCK + 5, 3 * BLOCK + 1005), got, Seeds.describe(SEED));
    }
  }

  @Test
  void aWellBehavedSessionReadsExactBytesAndZeroRuns() throws Exception {
    assertTimeoutPreemptively(BOUND, () -> {
      try (Client c = new Client()) {
        c.flags(Nbd.FLAG_FIXED_NEWSTYLE | Nbd.FLAG_NO_ZEROES);
        c.option(Nbd.OPT_LIST, new byte[0]);
        assertEquals(Nbd.REP_SERVER, c.reply(Nbd.OPT_LIST));
        assertEquals(Nbd.REP_SERVER, c.reply(Nbd.OPT_LIST));
        assertEquals(Nbd.REP_ACK, c.reply(Nbd.OPT_LIST));
        c.option(Nbd.OPT_STRUCTURED_REPLY, new byte[0]);
        assertEquals(Nbd.REP_ACK, c.reply(Nbd.OPT_STRUCTURED_REPLY));
        byte[] q = Nbd.BASE_ALLOCATION.getBytes(StandardCharsets.US_ASCII);
        c.option(Nbd.OPT_SET_META_CONTEXT, ByteBuffer.allocate(12 + q.length).putInt(0).putInt(1).putInt(q.length).put(q)
            .array());
        assertEquals(Nbd.REP_META_CONTEXT, c.reply(Nbd.OPT_SET_META_CONTEXT));
        assertEquals(Nbd.BASE_ALLOCATION_ID, ByteBuffer.wrap(c.last).getInt());
        assertEquals(Nbd.REP_ACK, c.reply(Nbd.OPT_SET_META_CONTEXT));
        c.go("");
        // structured read
        c.request(Nbd.CMD_READ, 0, 1, BLOCK - 10, 20_000);
        assertEquals(Nbd.STRUCTURED_REPLY_MAGIC, c.in.readInt());
        assertEquals(Nbd.REPLY_FLAG_DONE, c.in.readShort());
        assertEquals(Nbd.REPLY_TYPE_OFFSET_DATA, c.in.readShort());
        assertEquals(1, c.in.readLong());
        assertEquals(8 + 20_000, c.in.readInt());
        assertEquals(BLOCK - 10, c.in.readLong());
        byte[] got = new byte[20_000];
        c.in.readFully(got);
        assertArrayEquals(Arrays.copyOfRange(disk, BLOCK - 10, BLOCK - 10 + 20_000), got);
        // block status: data, zeros, data
        c.request(Nbd.CMD_BLOCK_STATUS, 0, 2, 0, disk.length);
        assertEquals(Nbd.STRUCTURED_REPLY_MAGIC, c.in.readInt());
        c.in.readShort();
        assertEquals(Nbd.REPLY_TYPE_BLOCK_STATUS, c.in.readShort());
        assertEquals(2, c.in.readLong());
        int len = c.in.readInt();
        assertEquals(4 + 3 * 8, len);
        assertEquals(Nbd.BASE_ALLOCATION_ID, c.in.readInt());
        long[][] want = {{10 * BLOCK, 0}, {20 * BLOCK, Nbd.STATE_HOLE | Nbd.STATE_ZERO}, {10 * BLOCK, 0}};
        for (long[] w : want) {
          assertEquals(w[0], c.in.readInt() & 0xFFFFFFFFL);
          assertEquals(w[1], c.in.readInt());
        }
        // outside the export: an error reply, and the connection goes on
        c.request(Nbd.CMD_READ, 0, 3, disk.length - 10, 20);
        assertEquals(Nbd.STRUCTURED_REPLY_MAGIC, c.in.readInt());
        c.in.readShort();
        assertEquals(Nbd.REPLY_TYPE_ERROR, c.in.readShort() & 0xFFFF);
        assertEquals(3, c.in.readLong());
        assertEquals(6, c.in.readInt());
        assertEquals(Nbd.EINVAL, c.in.readInt());
        c.in.readShort();
        // a write to a read-only export: its payload is consumed, EPERM
        c.request(Nbd.CMD_WRITE, 0, 4, 0, 512);
        c.out.write(new byte[512]);
        assertEquals(Nbd.EPERM, c.simpleError(4));
        c.request(Nbd.CMD_DISC, 0, 5, 0, 0);
        assertTrue(c.closedByServer());
      }
    });
  }

  /**
   * QEMU keeps many reads in flight on one connection: send 200 reads of random ranges before
   * reading any reply (more than the in-flight window, so the server must stop reading requests
   * and resume), then match every reply, in whatever order it comes, to its cookie.
   */
  @Test
  void manyReadsInFlightOnOneConnectionAreEachAnsweredOnceWithTheirBytes() throws Exception {
    assertTimeoutPreemptively(BOUND, () -> {
      try (Client c = new Client()) {
        c.flags(Nbd.FLAG_FIXED_NEWSTYLE | Nbd.FLAG_NO_ZEROES);
        c.go("");
        Random rnd = new Random(SEED);
        int n = 200;
        long[][] asked = new long[n][];
        // All requests in one write, as a real client's buffered sends; it reads replies after.
        ByteBuffer reqs = ByteBuffer.allocate(28 * n);
        for (int i = 0; i < n; i++) {
          int len = 1 + rnd.nextInt(3 * BLOCK);
          long off = rnd.nextInt(disk.length - len + 1);
          asked[i] = new long[] {off, len};
          reqs.putInt(Nbd.REQUEST_MAGIC).putShort((short) 0).putShort((short) Nbd.CMD_READ).putLong(1000 + i)
              .putLong(off).putInt(len);
        }
        for (reqs.flip(); reqs.hasRemaining(); ) {
          c.ch.write(reqs);
        }
        boolean[] seen = new boolean[n];
        for (int k = 0; k < n; k++) {
          assertEquals(Nbd.SIMPLE_REPLY_MAGIC, c.in.readInt(), Seeds.describe(SEED));
          assertEquals(0, c.in.readInt());
          int i = (int) (c.in.readLong() - 1000);
          assertTrue(i >= 0 && i < n && !seen[i], "reply to an unknown or repeated cookie " + (i + 1000));
          seen[i] = true;
          byte[] got = new byte[(int) asked[i][1]];
          c.in.readFully(got);
          assertArrayEquals(Arrays.copyOfRange(disk, (int) asked[i][0], (int) (asked[i][0] + asked[i][1])), got,
              "read " + i + " " + Seeds.describe(SEED));
        }
        c.request(Nbd.CMD_DISC, 0, 5, 0, 0);
        assertTrue(c.closedByServer());
      }
    });
  }

  /**
   * A client that asks for many large reads and never reads a reply fills its socket: that must
   * stall only its own connection, not the I/O threads every connection shares.
   */
  @Test
  void aClientThatNeverReadsItsRepliesDoesNotHoldUpOthers() throws Exception {
    assertTimeoutPreemptively(BOUND, () -> {
      try (Client c = new Client()) {
        c.flags(Nbd.FLAG_FIXED_NEWSTYLE | Nbd.FLAG_NO_ZEROES);
        c.go("");
        ByteBuffer reqs = ByteBuffer.allocate(28 * 300);
        for (int i = 0; i < 300; i++) {
          reqs.putInt(Nbd.REQUEST_MAGIC).putShort((short) 0).putShort((short) Nbd.CMD_READ).putLong(i)
              .putLong((i % 37) * BLOCK).putInt(3 * BLOCK);
        }
        for (reqs.flip(); reqs.hasRemaining(); ) {
          c.ch.write(reqs);
        }
        Thread.sleep(500); // let its replies fill the socket
        for (int k = 0; k < 3; k++) {
          othersAreStillServed();
        }
      }
    });
  }

  @Test
  void randomBytesCostOnlyTheirOwnConnection() throws Exception {
    assertTimeoutPreemptively(BOUND, () -> {
      Random rnd = new Random(Seeds.derive(SEED, "garbage"));
      for (int round = 0; round < 20; round++) {
        byte[] junk = new byte[4096];
        rnd.nextBytes(junk);
        try (Client c = new Client()) {
          c.out.write(junk);
          assertTrue(c.closedByServer(), Seeds.describe(SEED));
        }
        // and after the handshake, in the transmission phase
        try (Client c = new Client()) {
          c.flags(Nbd.FLAG_FIXED_NEWSTYLE);
          c.go("other");
          c.out.write(junk);
          assertTrue(c.closedByServer(), Seeds.describe(SEED));
        }
      }
      othersAreStillServed();
    });
  }

  @Test
  void oversizedLengthsAreRefusedBeforeAnythingIsAllocated() throws Exception {
    assertTimeoutPreemptively(BOUND, () -> {
      try (Client c = new Client()) {
        c.flags(Nbd.FLAG_FIXED_NEWSTYLE);
        c.out.writeLong(Nbd.IHAVEOPT);
        c.out.writeInt(Nbd.OPT_GO);
        c.out.writeInt(0x7FFF_FFF0); // a 2 GiB option: the connection ends
        assertTrue(c.closedByServer());
      }
      try (Client c = new Client()) {
        c.flags(Nbd.FLAG_FIXED_NEWSTYLE);
        // a GO whose name length points past its payload: an error reply, not a read past the end
        c.option(Nbd.OPT_GO, ByteBuffer.allocate(6).putInt(1_000_000).putShort((short) 0).array());
        assertEquals(Nbd.REP_ERR_INVALID, c.reply(Nbd.OPT_GO));
        c.option(Nbd.OPT_GO, ByteBuffer.allocate(10).putInt(4).put("nope".getBytes(StandardCharsets.US_ASCII))
            .putShort((short) 0).array());
        assertEquals(Nbd.REP_ERR_UNKNOWN, c.reply(Nbd.OPT_GO));
        c.option(12345, new byte[3]);
        assertEquals(Nbd.REP_ERR_UNSUP, c.reply(12345));
        c.option(Nbd.OPT_STARTTLS, new byte[0]);
        assertEquals(Nbd.REP_ERR_UNSUP, c.reply(Nbd.OPT_STARTTLS));
        c.go("");
        c.request(Nbd.CMD_READ, 0, 9, 0, Integer.MAX_VALUE); // 2 GiB read: EOVERFLOW, no buffer
        assertEquals(Nbd.EOVERFLOW, c.simpleError(9));
        c.request(Nbd.CMD_READ, 0, 10, Long.MAX_VALUE - 5, 100);
        assertEquals(Nbd.EINVAL, c.simpleError(10));
        c.request(99, 0, 11, 0, 0);
        assertEquals(Nbd.EINVAL, c.simpleError(11));
        c.request(Nbd.CMD_BLOCK_STATUS, 0, 12, 0, 4096); // no context negotiated
        assertEquals(Nbd.EINVAL, c.simpleError(12));
        c.request(Nbd.CMD_WRITE, 0, 13, 0, 0x7FFF_0000); // a 2 GiB payload announced: the connection ends
        assertTrue(c.closedByServer());
      }
      othersAreStillServed();
    });
  }

  @Test
  void aStalledClientDoesNotHoldUpOthers() throws Exception {
    assertTimeoutPreemptively(BOUND, () -> {
      try (Client stalled = new Client(); Client half = new Client()) {
        half.flags(Nbd.FLAG_FIXED_NEWSTYLE);
        half.out.writeLong(Nbd.IHAVEOPT);
        half.out.writeInt(Nbd.OPT_GO);
        half.out.writeInt(100); // announces 100 bytes, sends 3
        half.out.write(new byte[3]);
        othersAreStillServed();
        othersAreStillServed();
      }
    });
  }

  @Test
  void aClientWithoutFixedNewstyleIsRefused() throws Exception {
    assertTimeoutPreemptively(BOUND, () -> {
      try (Client c = new Client()) {
        c.flags(0);
        assertTrue(c.closedByServer());
        assertThrows(EOFException.class, () -> c.in.readLong());
      }
    });
  }
}
