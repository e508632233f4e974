package io.feitian.job.data;

import io.feitian.common.pipeline.PendingAttempt;
import io.feitian.proto.job.v1.OutputFile;
import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Writes an attempt's records into its downstream pipelines: each record goes
 * to every pipeline, into the partition that pipeline's partitioner picks.
 * Every partition gets a file, an empty one if no record went there, so
 * readers can count on every file of a committed attempt existing.
 * {@link #commit} publishes all files at once and describes them;
 * {@link #close} without a commit deletes them. Not thread-safe.
 *
 * <p>Files are not synced to disk before the commit: a node that loses power
 * may lose or truncate committed outputs, which readers detect by length and
 * CRC32C, and the upstream instance runs again. Every partition holds an open
 * file and a buffer; the buffers share {@value #BUFFER_BUDGET} bytes, so
 * memory stays bounded however many partitions there are, but open files do
 * not (one per partition of each pipeline).
 */
public final class PartitionedOutput implements Closeable {
  static final int BUFFER_BUDGET = 8 << 20;
  private static final int MIN_BUFFER = 1 << 10;
  private static final int MAX_BUFFER = 64 << 10;

  private enum State { WRITING, COMMITTED, CLOSED }

  private record Part(int partition, ChecksummedOutputStream sums, RecordWriter writer) {}

  private record Sink(String toTask, KeyPartitioner partitioner, List<Part> parts) {}

  private final PendingAttempt attempt;
  private final List<Sink> sinks = new ArrayList<>();
  private State state = State.WRITING;
  private long records;

  /**
   * Opens a file for every partition of every pipeline in the attempt's
   * temporary directory. Takes the attempt over: closing this closes it.
   */
  public PartitionedOutput(PendingAttempt attempt, List<DownstreamPipeline> pipelines) throws IOException {
    this.attempt = attempt;
    try {
      if (pipelines.isEmpty()) {
        throw new IllegalArgumentException("pipelines must name at least one downstream task (attempt "
            + attempt.attempt() + "); a task without downstream pipelines writes its final output instead");
      }
      Set<String> seen = new HashSet<>();
      int files = 0;
      for (DownstreamPipeline p : pipelines) {
        if (!seen.add(p.toTask())) {
          throw new IllegalArgumentException("pipelines name the downstream task " + p.toTask() + " twice");
        }
        files += p.partitioner().partitions();
      }
      int bufferBytes = Math.max(MIN_BUFFER, Math.min(MAX_BUFFER, BUFFER_BUDGET / files));
      for (DownstreamPipeline p : pipelines) {
        sinks.add(open(p, bufferBytes));
      }
    } catch (IOException | RuntimeException e) {
      closeAfterFailure(e);
      throw e;
    }
  }

  private Sink open(DownstreamPipeline pipeline, int bufferBytes) throws IOException {
    int partitions = pipeline.partitioner().partitions();
    List<Part> parts = new ArrayList<>(partitions);
    for (int p = 0; p < partitions; p++) {
      ChecksummedOutputStream sums = new ChecksummedOutputStream(Files.newOutputStream(
          attempt.file(pipeline.toTask(), p), StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE));
      parts.add(new Part(p, sums, new RecordWriter(new BufferedOutputStream(sums, bufferBytes))));
    }
    return new Sink(pipeline.toTask(), pipeline.partitioner(), parts);
  }

  /** Writes the record to every pipeline. */
  public void write(String key, String value) throws IOException {
    checkWriting();
    for (Sink s : sinks) {
      s.parts().get(s.partitioner().partition(key)).writer().write(key, value);
    }
    records++;
  }

  /** Records written (each counted once however many pipelines it went to). */
  public long records() {
    return records;
  }

  /**
   * Closes every file and commits the attempt.
   *
   * @return every file committed, with its length and CRC32C, in the order of the pipelines and partitions
   * @throws java.nio.file.FileAlreadyExistsException if the attempt was committed before
   */
  public List<OutputFile> commit() throws IOException {
    checkWriting();
    List<OutputFile> files = new ArrayList<>();
    for (Sink sink : sinks) {
      for (Part part : sink.parts()) {
        part.writer().close();
        files.add(OutputFile.newBuilder()
            .setToTask(sink.toTask())
            .setPartition(part.partition())
            .setLength(part.sums().length())
            .setCrc32C(part.sums().crc32c())
            .build());
      }
    }
    attempt.commit();
    state = State.COMMITTED;
    return files;
  }

  /** Without a commit: closes the files and deletes them. */
  @Override
  public void close() throws IOException {
    if (state == State.CLOSED) {
      return;
    }
    boolean committed = state == State.COMMITTED;
    state = State.CLOSED;
    if (!committed) {
      for (Sink sink : sinks) {
        for (Part part : sink.parts()) {
          closeQuietly(part.writer());
        }
      }
    }
    attempt.close();
  }

  private void closeAfterFailure(Exception failure) {
    try {
      close();
    } catch (IOException e) {
      failure.addSuppressed(e);
    }
  }

  private static void closeQuietly(RecordWriter writer) {
    try {
      writer.close();
    } catch (IOException e) {
      // The attempt is being abandoned and its files deleted: nothing to save.
    }
  }

  private void checkWriting() {
    if (state != State.WRITING) {
      throw new IllegalStateException("output of attempt " + attempt.attempt() + " is "
          + state.name().toLowerCase(Locale.ROOT));
    }
  }
}
