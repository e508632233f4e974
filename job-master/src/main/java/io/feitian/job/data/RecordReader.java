package io.feitian.job.data;

import io.feitian.job.api.Record;
import java.io.BufferedInputStream;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * Reads records in the pipeline format (see the package documentation) one
 * at a time, so a file of any size is read in constant memory. It buffers
 * the stream itself. Not thread-safe.
 */
public final class RecordReader implements Closeable {
  private final InputStream in;
  private long offset;

  public RecordReader(InputStream in) {
    this.in = new BufferedInputStream(in);
  }

  /**
   * The next record, or null at the end of the stream.
   *
   * @throws EOFException if the stream ends inside a record (naming the byte offset)
   * @throws IOException if a length cannot be a field's (corruption)
   */
  public Record next() throws IOException {
    long start = offset;
    int first = in.read();
    if (first < 0) {
      return null;
    }
    offset++;
    String key = readField(start, first, "key");
    String value = readField(start, readByte(start, "value length"), "value");
    return new Record(key, value);
  }

  /** Bytes consumed so far: the end of the last record read. */
  public long offset() {
    return offset;
  }

  @Override
  public void close() throws IOException {
    in.close();
  }

  private String readField(long start, int firstByte, String field) throws IOException {
    int length = readLength(start, firstByte, field);
    byte[] bytes = in.readNBytes(length);
    offset += bytes.length;
    if (bytes.length < length) {
      throw truncated(start, field);
    }
    return new String(bytes, StandardCharsets.UTF_8);
  }

  private int readLength(long start, int firstByte, String field) throws IOException {
    long length = 0;
    int b = firstByte;
    for (int shift = 0; ; shift += 7) {
      length |= (long) (b & 0x7f) << shift;
      if ((b & 0x80) == 0) {
        break;
      }
      if (shift >= 28) {
        throw new IOException("corrupt record at byte offset " + start + ": the " + field
            + " length is longer than 5 bytes");
      }
      b = readByte(start, field + " length");
    }
    if (length > RecordWriter.MAX_FIELD_BYTES) {
      throw new IOException("corrupt record at byte offset " + start + ": " + field + " length " + length
          + " is over the limit of " + RecordWriter.MAX_FIELD_BYTES);
    }
    return (int) length;
  }

  private int readByte(long start, String what) throws IOException {
    int b = in.read();
    if (b < 0) {
      throw truncated(start, what);
    }
    offset++;
    return b;
  }

  private EOFException truncated(long start, String where) {
    return new EOFException("truncated record at byte offset " + start + ": the stream ends at byte " + offset
        + ", inside its " + where);
  }
}
