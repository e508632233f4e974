package io.feitian.job.plan;

import io.feitian.proto.job.v1.FileSplit;
import java.util.ArrayList;
import java.util.List;

/** Cuts input files into splits. A split owns the lines that start inside it (see docs/JOBS.md). */
public final class Splits {
  /** A file and its size, as listed by whoever can see it. */
  public record InputFile(String path, long size) {}

  private Splits() {}

  /** One split per file, or per {@code splitBytes} of it; empty files give none. */
  public static List<FileSplit> of(List<InputFile> files, long splitBytes) {
    List<FileSplit> splits = new ArrayList<>();
    for (InputFile f : files) {
      long step = splitBytes <= 0 ? Math.max(f.size(), 1) : splitBytes;
      for (long start = 0; start < f.size(); start += step) {
        splits.add(FileSplit.newBuilder().setPath(f.path()).setStart(start)
            .setLength(Math.min(step, f.size() - start)).build());
      }
    }
    return splits;
  }
}
