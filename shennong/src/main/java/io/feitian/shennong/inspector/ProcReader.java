package io.feitian.shennong.inspector;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * Reads a whole /proc file as text: from offset 0, in reads as large as a buffer kept between
 * calls, until the end. {@code Files.readString} is not fit: it sizes its buffer by the file's size,
 * which /proc reports as 0, so its first read asks for one byte, and a sysctl file such as
 * {@code /proc/sys/net/ipv4/ip_local_port_range} answers a read that does not start at offset 0 with
 * end of file: "3" instead of "32768 60999". One large read also takes a file of the seq_file kind
 * (diskstats, net/dev, PID/stat) in one consistent go. Not thread-safe: one per sampling thread.
 */
final class ProcReader {
  private ByteBuffer buffer = ByteBuffer.allocate(16 * 1024);

  String read(Path file) throws IOException {
    buffer.clear();
    try (FileChannel channel = FileChannel.open(file)) {
      while (channel.read(buffer) >= 0) {
        if (!buffer.hasRemaining()) {
          buffer = ByteBuffer.allocate(buffer.capacity() * 2).put(buffer.flip());
        }
      }
    }
    return new String(buffer.array(), 0, buffer.position(), StandardCharsets.UTF_8);
  }
}
