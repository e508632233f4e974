package io.feitian.job.client;

import io.feitian.proto.job.v1.GetLogsResponse;
import io.feitian.proto.job.v1.InstanceLog;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Instance logs kept after a job ends, beside its output (as Hadoop keeps
 * job history under the output's _logs): {@code <output_dir>/_logs/instances.pb}
 * (every instance's last attempt, for `feitian job logs`) and one readable
 * {@code <task>-<instance>.log} per instance.
 */
public final class JobLogs {
  static final String DIR = "_logs";
  static final String INDEX = "instances.pb";

  private JobLogs() {}

  public static void write(Path outputDir, List<InstanceLog> logs) throws IOException {
    Path dir = outputDir.resolve(DIR);
    Files.createDirectories(dir);
    for (InstanceLog l : logs) {
      Files.writeString(dir.resolve(l.getTask() + "-" + l.getInstance() + ".log"),
          "# " + l.getTask() + "[" + l.getInstance() + "] attempt " + l.getAttempt() + " on " + l.getNodeId() + "\n"
              + l.getText());
    }
    Path tmp = dir.resolve(INDEX + ".tmp");
    Files.write(tmp, GetLogsResponse.newBuilder().addAllLogs(logs).build().toByteArray());
    Files.move(tmp, dir.resolve(INDEX), java.nio.file.StandardCopyOption.REPLACE_EXISTING,
        java.nio.file.StandardCopyOption.ATOMIC_MOVE);
  }

  /** The kept logs, if this machine can see the job's output directory. */
  static Optional<List<InstanceLog>> read(Path outputDir) throws IOException {
    Path index = outputDir.resolve(DIR).resolve(INDEX);
    if (!Files.isReadable(index)) {
      return Optional.empty();
    }
    return Optional.of(GetLogsResponse.parseFrom(Files.readAllBytes(index)).getLogsList());
  }
}
