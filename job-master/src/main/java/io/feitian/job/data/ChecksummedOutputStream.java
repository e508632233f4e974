package io.feitian.job.data;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.zip.CRC32C;

/** Counts and checksums the bytes as they are written, so a file's length and CRC32C need no second read. */
final class ChecksummedOutputStream extends FilterOutputStream {
  private final CRC32C crc = new CRC32C();
  private long length;

  ChecksummedOutputStream(OutputStream out) {
    super(out);
  }

  @Override
  public void write(int b) throws IOException {
    out.write(b);
    crc.update(b);
    length++;
  }

  @Override
  public void write(byte[] b, int off, int len) throws IOException {
    out.write(b, off, len);
    crc.update(b, off, len);
    length += len;
  }

  long length() {
    return length;
  }

  /** As the wire carries it (fixed32). */
  int crc32c() {
    return (int) crc.getValue();
  }
}
