package io.feitian.job.worker;

import io.feitian.job.api.Record;
import io.feitian.job.data.PartFetcher;
import io.feitian.job.data.RecordReader;
import io.feitian.proto.job.v1.Assignment;
import io.feitian.proto.job.v1.OutputPart;
import io.feitian.proto.job.v1.PipelineInput;
import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;

/**
 * What one attempt reads: its input split and its pipeline inputs, each read
 * lazily, once. Read errors surface as UncheckedIOException from the
 * iterators (the processor need not handle them: they fail the attempt).
 */
final class Inputs implements Closeable {
  /** A source of records read one at a time. */
  interface Source extends Closeable {
    /** The next record, or null at the end. */
    Record next() throws IOException;
  }

  private final Assignment assignment;
  private final PartFetcher fetcher;
  private final String appId;
  private final Map<String, PipelineInput> pipelines = new LinkedHashMap<>();
  private final List<Closeable> opened = new ArrayList<>();
  private long recordsRead;

  Inputs(String appId, Assignment assignment, PartFetcher fetcher) {
    this.appId = appId;
    this.assignment = assignment;
    this.fetcher = fetcher;
    for (PipelineInput in : assignment.getInputsList()) {
      pipelines.put(in.getFromTask(), in);
    }
  }

  Set<String> upstreamTasks() {
    return pipelines.keySet();
  }

  /** The main input (see TaskContext.input()): the split, else the shaping pipeline, else all broadcasts. */
  Iterable<Record> main() {
    if (assignment.hasSplit()) {
      return once(() -> new SplitSource(new SplitReader(assignment.getSplit())));
    }
    List<OutputPart> parts = new ArrayList<>();
    for (PipelineInput in : mainPipelines()) {
      parts.addAll(in.getPartsList());
    }
    return once(() -> new PartsSource(parts));
  }

  /** The pipelines the main input is made of: the shaping one, or else every broadcast. */
  List<PipelineInput> mainPipelines() {
    if (assignment.hasSplit()) {
      return List.of();
    }
    List<PipelineInput> shaping = pipelines.values().stream().filter(p -> !p.getBroadcast()).toList();
    return shaping.isEmpty() ? List.copyOf(pipelines.values()) : shaping;
  }

  Iterable<Record> of(String upstreamTask) {
    PipelineInput in = pipelines.get(upstreamTask);
    if (in == null) {
      throw new IllegalArgumentException("this instance reads no pipeline from '" + upstreamTask + "'; it reads "
          + pipelines.keySet());
    }
    return once(() -> new PartsSource(in.getPartsList()));
  }

  long recordsRead() {
    return recordsRead;
  }

  private interface Opener {
    Source open() throws IOException;
  }

  /** An iterable that opens its source when iterated, and may be iterated once. */
  private Iterable<Record> once(Opener opener) {
    boolean[] used = {false};
    return () -> {
      if (used[0]) {
        throw new IllegalStateException("an input can be iterated once");
      }
      used[0] = true;
      Source source;
      try {
        source = opener.open();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      opened.add(source);
      return new Iterator<>() {
        private Record next = advance();

        private Record advance() {
          try {
            Record r = source.next();
            if (r != null) {
              recordsRead++;
            }
            return r;
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        }

        @Override
        public boolean hasNext() {
          return next != null;
        }

        @Override
        public Record next() {
          if (next == null) {
            throw new NoSuchElementException();
          }
          Record r = next;
          next = advance();
          return r;
        }
      };
    };
  }

  private record SplitSource(SplitReader reader) implements Source {
    @Override
    public Record next() throws IOException {
      return reader.next();
    }

    @Override
    public void close() throws IOException {
      reader.close();
    }
  }

  /** The records of several committed files, one after another, each fetched from its node. */
  private final class PartsSource implements Source {
    private final Iterator<OutputPart> parts;
    private RecordReader current;

    PartsSource(List<OutputPart> parts) {
      this.parts = parts.iterator();
    }

    @Override
    public Record next() throws IOException {
      while (true) {
        if (current != null) {
          Record r = current.next();
          if (r != null) {
            return r;
          }
          current.close();
          current = null;
        }
        if (!parts.hasNext()) {
          return null;
        }
        current = new RecordReader(fetcher.open(appId, parts.next()));
      }
    }

    @Override
    public void close() throws IOException {
      if (current != null) {
        current.close();
      }
    }
  }

  @Override
  public void close() {
    for (Closeable c : opened) {
      try {
        c.close();
      } catch (IOException ignored) {
        // the attempt is over; nothing more to read
      }
    }
  }
}
