package io.feitian.service.worker;

import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;

/**
 * An append-only record of when this worker began and stopped serving each
 * partition, one line per event:
 * {@code <unix micros> <worker> START|END <partition> <start> <end> <epoch>}
 * (keys URL-encoded, "-" for an open end). START is written before requests
 * are let in, END after the last one finished, so the logged intervals
 * contain the real ones; tests check that no two workers' intervals for
 * overlapping keys overlap in time.
 */
final class ServingLog implements AutoCloseable {
  private final String workerId;
  private final OutputStream out;
  private final Clock clock = Clock.systemUTC();

  ServingLog(String workerId, Path file) throws IOException {
    this.workerId = workerId;
    this.out = new FileOutputStream(file.toFile(), true);
  }

  void started(PartitionInfo p) {
    write("START", p);
  }

  void ended(PartitionInfo p) {
    write("END", p);
  }

  private synchronized void write(String event, PartitionInfo p) {
    Instant now = clock.instant();
    long micros = now.getEpochSecond() * 1_000_000 + now.getNano() / 1_000;
    String line = micros + " " + workerId + " " + event + " " + p.id() + " " + key(p.range().start()) + " "
        + key(p.range().end()) + " " + p.epoch() + "\n";
    try {
      out.write(line.getBytes(StandardCharsets.UTF_8));
      out.flush();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the serving log", e);
    }
  }

  private static String key(String k) {
    return k.isEmpty() ? "-" : URLEncoder.encode(k, StandardCharsets.UTF_8);
  }

  @Override
  public void close() throws IOException {
    out.close();
  }
}
