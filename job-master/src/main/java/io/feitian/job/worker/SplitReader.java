package io.feitian.job.worker;

import io.feitian.job.api.Record;
import io.feitian.proto.job.v1.FileSplit;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The lines of a file split as records. A split owns the lines that start
 * inside it: it skips a line that began before its start (the previous
 * split reads it) and reads its last line to the end even past its own end,
 * so every line of the file is read exactly once over all splits.
 */
final class SplitReader implements Closeable {
  private final InputStream in;
  private final long end;
  private long position;
  private final ByteArrayOutputStream line = new ByteArrayOutputStream();

  SplitReader(FileSplit split) throws IOException {
    FileChannel channel = FileChannel.open(Path.of(split.getPath()), StandardOpenOption.READ);
    long start = split.getStart();
    this.end = start + split.getLength();
    this.position = Math.max(0, start - 1);
    channel.position(position);
    this.in = new BufferedInputStream(Channels.newInputStream(channel), 1 << 16);
    if (start > 0) {
      // The byte before the split decides: a line end there means a line starts exactly at `start`.
      skipPastLineEnd();
    }
  }

  private void skipPastLineEnd() throws IOException {
    int b;
    while ((b = in.read()) >= 0) {
      position++;
      if (b == '\n') {
        return;
      }
    }
  }

  /** The next record, or null after the split's last line. */
  Record next() throws IOException {
    if (position >= end) {
      return null;
    }
    line.reset();
    int b;
    boolean any = false;
    while ((b = in.read()) >= 0) {
      any = true;
      position++;
      if (b == '\n') {
        break;
      }
      line.write(b);
    }
    if (!any) {
      return null;
    }
    String text = line.toString(StandardCharsets.UTF_8);
    if (text.endsWith("\r")) {
      text = text.substring(0, text.length() - 1);
    }
    return Record.ofLine(text);
  }

  @Override
  public void close() throws IOException {
    in.close();
  }
}
