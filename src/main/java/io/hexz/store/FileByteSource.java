package io.hexz.store;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** A local file read with positional FileChannel reads. Thread-safe. */
final class FileByteSource implements ByteSource {
  private final Path path;
  private final FileChannel channel;
  private final long size;

  FileByteSource(Path path) throws IOException {
    if (Files.isDirectory(path)) {
      // Linux opens a directory for reading and fails only at the first read, with a bare
      // "Is a directory" that names no file.
      throw new FileSystemException(path.toString(), null, "is a directory, not a snapshot");
    }
    this.path = path;
    this.channel = FileChannel.open(path, StandardOpenOption.READ);
    this.size = channel.size();
  }

  @Override
  public String name() {
    return path.toString();
  }

  @Override
  public long size() {
    return size;
  }

  @Override
  public void readFully(ByteBuffer dst, long position) throws IOException {
    long pos = position;
    while (dst.hasRemaining()) {
      int n = channel.read(dst, pos);
      if (n < 0) {
        throw new EOFException(path + ": unexpected end of file at offset " + pos);
      }
      pos += n;
    }
  }

  @Override
  public void close() throws IOException {
    channel.close();
  }
}
