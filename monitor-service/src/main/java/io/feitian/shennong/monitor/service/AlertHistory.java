package io.feitian.shennong.monitor.service;

import com.fasterxml.jackson.core.JsonProcessingException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * The alert history: every transition appended to {@code history.jsonl} in the leader's data
 * directory (one JSON object per line, written and forced to disk before the call returns), and
 * the newest {@code kept} in memory, which the API lists (they are also appended to ZooKeeper by
 * {@link StateStore}, so that a new leader lists them too). The file is bounded: past {@code maxFileBytes} it is renamed {@code history.jsonl.1}
 * (replacing the previous one) and a new one begins, so the disk holds at most about twice that.
 * One caller at a time (the term's loop).
 */
final class AlertHistory implements AutoCloseable {
  static final String FILE = "history.jsonl";

  private final Path file;
  private final long maxFileBytes;
  private final int kept;
  private final Deque<HistoryEntry> recent = new ArrayDeque<>();
  private FileChannel out;

  AlertHistory(Path dataDir, long maxFileBytes, int kept, List<HistoryEntry> restored) {
    this.file = dataDir.resolve(FILE);
    this.maxFileBytes = maxFileBytes;
    this.kept = kept;
    restored.forEach(this::remember);
    try {
      Files.createDirectories(dataDir);
      out = open();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open the alert history " + file + ": " + e.getMessage(), e);
    }
  }

  private FileChannel open() throws IOException {
    return FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.APPEND, StandardOpenOption.WRITE);
  }

  /** Appends the entries to the file (forced to disk) and to the recent ones. */
  void record(List<HistoryEntry> entries) {
    if (entries.isEmpty()) {
      return;
    }
    StringBuilder lines = new StringBuilder();
    for (HistoryEntry e : entries) {
      try {
        lines.append(StoredState.MAPPER.writeValueAsString(e)).append('\n');
      } catch (JsonProcessingException x) {
        throw new IllegalStateException("a history entry holds only strings and numbers: " + x, x);
      }
      remember(e);
    }
    try {
      if (out.size() >= maxFileBytes) {
        rotate();
      }
      ByteBuffer bytes = ByteBuffer.wrap(lines.toString().getBytes(StandardCharsets.UTF_8));
      while (bytes.hasRemaining()) {
        out.write(bytes);
      }
      out.force(false);
    } catch (IOException x) {
      throw new UncheckedIOException("cannot append to the alert history " + file + ": " + x.getMessage(), x);
    }
  }

  private void rotate() throws IOException {
    out.close();
    Files.move(file, file.resolveSibling(FILE + ".1"), StandardCopyOption.REPLACE_EXISTING,
        StandardCopyOption.ATOMIC_MOVE);
    out = open();
  }

  private void remember(HistoryEntry e) {
    recent.addLast(e);
    while (recent.size() > kept) {
      recent.removeFirst();
    }
  }

  /** At most {@code limit} of the newest kept entries of {@code rule} (any rule if empty), newest first. */
  List<HistoryEntry> newest(int limit, String rule) {
    List<HistoryEntry> out = new ArrayList<>();
    var it = recent.descendingIterator();
    while (it.hasNext() && out.size() < limit) {
      HistoryEntry e = it.next();
      if (rule.isEmpty() || rule.equals(e.rule())) {
        out.add(e);
      }
    }
    return out;
  }

  @Override
  public void close() {
    try {
      out.close();
    } catch (IOException e) {
      // nothing buffered: every record call forced its lines
    }
  }
}
