package io.feitian.job.master;

import io.feitian.job.plan.Splits;
import io.feitian.proto.job.v1.FileSplit;
import io.feitian.proto.job.v1.JobSpec;
import io.feitian.proto.job.v1.TaskSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/** Lists the input files of a job's tasks, as this node sees them, and cuts them into splits. */
final class InputListing {
  private InputListing() {}

  static Map<String, List<FileSplit>> splits(JobSpec spec) throws IOException {
    Map<String, List<FileSplit>> splits = new LinkedHashMap<>();
    for (int i = 0; i < spec.getTasksCount(); i++) {
      TaskSpec t = spec.getTasks(i);
      if (!t.hasInput()) {
        continue;
      }
      List<Splits.InputFile> files = new ArrayList<>();
      for (int j = 0; j < t.getInput().getPathsCount(); j++) {
        Path p = Path.of(t.getInput().getPaths(j));
        String field = "tasks[" + i + "].input.paths[" + j + "]";
        if (Files.isDirectory(p)) {
          try (Stream<Path> children = Files.list(p)) {
            for (Path f : children.filter(Files::isRegularFile).sorted().toList()) {
              files.add(new Splits.InputFile(f.toString(), Files.size(f)));
            }
          }
        } else if (Files.isRegularFile(p)) {
          files.add(new Splits.InputFile(p.toString(), Files.size(p)));
        } else {
          throw new IOException(field + " " + p + " does not exist (or is not a file or directory)");
        }
      }
      splits.put(t.getName(), Splits.of(files, t.getInput().getSplitBytes()));
    }
    return splits;
  }
}
