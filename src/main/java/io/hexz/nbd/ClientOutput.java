package io.hexz.nbd;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;

/** Writes whole buffers to an NBD client: to its socket, or through TLS once STARTTLS ran. */
@FunctionalInterface
interface ClientOutput {
  /** Writes every remaining byte of {@code parts}, in order, blocking until done. */
  void send(ByteBuffer... parts) throws IOException;

  /** Clear text, straight to the (blocking) socket. */
  static ClientOutput plain(SocketChannel ch) {
    return parts -> {
      long left = 0;
      for (ByteBuffer p : parts) {
        left += p.remaining();
      }
      while (left > 0) {
        left -= ch.write(parts);
      }
    };
  }
}
