package io.feitian.job.worker;

import io.feitian.common.pipeline.AttemptId;
import io.feitian.common.pipeline.PipelineLayout;
import io.feitian.job.api.Record;
import io.feitian.job.data.DownstreamPipeline;
import io.feitian.job.data.KeyPartitioner;
import io.feitian.job.data.PartitionedOutput;
import io.feitian.job.data.Partitioners;
import io.feitian.proto.job.v1.Assignment;
import io.feitian.proto.job.v1.OutputFile;
import io.feitian.proto.job.v1.PipelineOutput;
import java.io.BufferedWriter;
import java.io.Closeable;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Where an attempt's records go: its downstream pipelines (in the node's
 * pipeline store), or for a task with none, the job's output file. Either
 * way nothing is visible until {@link #commit}, which publishes everything
 * with one rename.
 */
abstract class AttemptOutput implements Closeable {
  abstract void write(Record r) throws IOException;

  abstract long records();

  /** Publishes the output; describes the pipeline files (none for a final output). */
  abstract List<OutputFile> commit() throws IOException;

  /**
   * Opens the attempt's output. {@code boundaries} gives the sorted keys of
   * an input, for pipelines partitioned by range.
   */
  static AttemptOutput open(String appId, Assignment a, PipelineLayout store,
      Function<String, List<String>> boundaries) throws IOException {
    if (a.getOutputsCount() == 0) {
      return new FinalFile(Path.of(a.getFinalOutput()), a.getAttempt());
    }
    List<DownstreamPipeline> pipelines = new ArrayList<>();
    for (PipelineOutput o : a.getOutputsList()) {
      KeyPartitioner partitioner;
      if (!o.getRangeBoundariesFrom().isEmpty()) {
        partitioner = Partitioners.range(padded(o, boundaries.apply(o.getRangeBoundariesFrom())));
      } else if (o.getPartitions() == 1) {
        partitioner = Partitioners.single();
      } else {
        partitioner = Partitioners.hash(o.getPartitions());
      }
      pipelines.add(new DownstreamPipeline(o.getToTask(), partitioner));
    }
    return new Pipelines(new PartitionedOutput(
        store.begin(new AttemptId(appId, a.getTask(), a.getInstance(), a.getAttempt())), pipelines));
  }

  /**
   * Exactly partitions - 1 boundaries: too few (a small sample) repeat the
   * last one, leaving the top partitions empty; too many is the boundary
   * program's mistake.
   */
  static List<String> padded(PipelineOutput o, List<String> boundaries) throws IOException {
    int wanted = o.getPartitions() - 1;
    if (boundaries.size() > wanted) {
      throw new IOException("task '" + o.getRangeBoundariesFrom() + "' gave " + boundaries.size()
          + " range boundaries for " + o.getPartitions() + " partitions of '" + o.getToTask() + "'; at most "
          + wanted + " can be used");
    }
    List<String> out = new ArrayList<>(boundaries);
    String last = boundaries.isEmpty() ? "" : boundaries.get(boundaries.size() - 1);
    while (out.size() < wanted) {
      out.add(last);
    }
    return out;
  }

  private static final class Pipelines extends AttemptOutput {
    private final PartitionedOutput out;

    Pipelines(PartitionedOutput out) {
      this.out = out;
    }

    @Override
    void write(Record r) throws IOException {
      out.write(r.key(), r.value());
    }

    @Override
    long records() {
      return out.records();
    }

    @Override
    List<OutputFile> commit() throws IOException {
      return out.commit();
    }

    @Override
    public void close() throws IOException {
      out.close();
    }
  }

  /** The job's output for one instance: text lines, written beside the target and renamed onto it. */
  private static final class FinalFile extends AttemptOutput {
    private final Path target;
    private final Path temp;
    private final BufferedWriter writer;
    private long records;
    private boolean committed;

    FinalFile(Path target, int attempt) throws IOException {
      this.target = target;
      Files.createDirectories(target.getParent());
      this.temp = target.resolveSibling("." + target.getFileName() + ".attempt-" + attempt + ".tmp");
      this.writer = Files.newBufferedWriter(temp, StandardCharsets.UTF_8);
    }

    @Override
    void write(Record r) throws IOException {
      writer.write(r.toLine());
      writer.write('\n');
      records++;
    }

    @Override
    long records() {
      return records;
    }

    @Override
    List<OutputFile> commit() throws IOException {
      writer.close();
      try {
        // A hard link appears atomically and, unlike rename, never replaces: if another
        // attempt of this instance committed first, its output stands.
        Files.createLink(target, temp);
      } catch (FileAlreadyExistsException e) {
        // the other attempt's output is the instance's
      } finally {
        Files.deleteIfExists(temp);
      }
      committed = true;
      return List.of();
    }

    @Override
    public void close() throws IOException {
      writer.close();
      if (!committed) {
        Files.deleteIfExists(temp);
      }
    }
  }
}
