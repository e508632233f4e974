package io.feitian.job.data;

import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * Writes records in the pipeline format (see the package documentation).
 * Records go straight to the stream in a few small writes each, so give it a
 * buffered stream. Not thread-safe.
 */
public final class RecordWriter implements Closeable {
  /**
   * The longest key or value in UTF-8 bytes. The reader refuses longer
   * lengths as corruption instead of trying to allocate them.
   */
  public static final int MAX_FIELD_BYTES = 64 << 20;

  private final OutputStream out;
  private final byte[] varint = new byte[5];
  private long records;

  public RecordWriter(OutputStream out) {
    this.out = Objects.requireNonNull(out, "out");
  }

  public void write(String key, String value) throws IOException {
    writeField("key", Objects.requireNonNull(key, "key"));
    writeField("value", Objects.requireNonNull(value, "value"));
    records++;
  }

  /** Records written so far. */
  public long records() {
    return records;
  }

  public void flush() throws IOException {
    out.flush();
  }

  @Override
  public void close() throws IOException {
    out.close();
  }

  private void writeField(String field, String s) throws IOException {
    byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
    if (bytes.length > MAX_FIELD_BYTES) {
      throw new IllegalArgumentException(field + " is " + bytes.length + " bytes in UTF-8, more than the "
          + MAX_FIELD_BYTES + " a record may hold");
    }
    int n = 0;
    int v = bytes.length;
    while (v >= 0x80) {
      varint[n++] = (byte) (v | 0x80);
      v >>>= 7;
    }
    varint[n++] = (byte) v;
    out.write(varint, 0, n);
    out.write(bytes);
  }
}
