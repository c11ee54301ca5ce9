package io.hexz.nbd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReplyBuffersTest {
  private final ReplyBuffers pool = new ReplyBuffers();

  @Test
  void aReturnedBufferIsReusedWithTheNewLimit() {
    ByteBuffer a = pool.take(4096);
    assertTrue(a.isDirect());
    assertEquals(0, a.position());
    assertEquals(4096, a.limit());
    a.put(new byte[100]);
    pool.give(a);
    ByteBuffer b = pool.take(ReplyBuffers.SIZE);
    assertSame(a, b);
    assertEquals(0, b.position());
    assertEquals(ReplyBuffers.SIZE, b.limit());
    assertEquals(1, pool.created());
  }

  @Test
  void largerReadsGetHeapBuffersThatAreNotPooled() {
    ByteBuffer big = pool.take(ReplyBuffers.SIZE + 1);
    assertFalse(big.isDirect());
    assertEquals(ReplyBuffers.SIZE + 1, big.remaining());
    pool.give(big);
    assertEquals(0, pool.created());
  }

  @Test
  void directMemoryIsBoundedWhateverIsInFlight() {
    List<ByteBuffer> out = new ArrayList<>();
    for (int i = 0; i < ReplyBuffers.MAX_BUFFERS + 50; i++) {
      out.add(pool.take(1 << 16));
    }
    assertEquals(ReplyBuffers.MAX_BUFFERS, out.stream().filter(ByteBuffer::isDirect).count());
    assertEquals(50, out.stream().filter(b -> !b.isDirect()).count());
    out.forEach(pool::give);
    for (int i = 0; i < ReplyBuffers.MAX_BUFFERS; i++) {
      assertTrue(pool.take(1).isDirect(), "the pooled buffers come back");
    }
    assertEquals(ReplyBuffers.MAX_BUFFERS, pool.created());
  }
}
