package io.feitian.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.feitian.examples.wordcount.Words;
import io.feitian.job.client.JobClient;
import io.feitian.proto.job.v1.JobStatus;
import io.feitian.proto.job.v1.TaskStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Word count (thread mode) on three task-workers, checked against counts computed here. */
class WordCountIT {
  @TempDir
  static Path dir;

  static TestCluster cluster;

  @BeforeAll
  static void start() throws Exception {
    cluster = new TestCluster(dir);
    cluster.startMaster();
    for (int i = 1; i <= 3; i++) {
      cluster.startWorker("tw-" + i, "rack-" + (i % 2));
    }
    cluster.awaitAliveNodes(3);
  }

  @AfterAll
  static void stop() throws Exception {
    cluster.close();
  }

  static Map<String, Long> reference(Path text) throws Exception {
    Map<String, Long> counts = new HashMap<>();
    try (Stream<Path> files = Files.list(text)) {
      for (Path f : files.filter(Files::isRegularFile).toList()) {
        for (String line : Files.readAllLines(f)) {
          Words.split(line).forEach(w -> counts.merge(w, 1L, Long::sum));
        }
      }
    }
    return counts;
  }

  @Test
  void wordCountMatchesTheReferenceWithNoWordLostOrCountedTwice() throws Exception {
    Path out = dir.resolve("out-wordcount");
    JobClient jobs = new JobClient(cluster.client());
    String id = jobs.submit(Jobs.example("wordcount", out));
    JobStatus end = Jobs.run(jobs, id, Duration.ofMinutes(3));
    Jobs.assertSucceeded(end);

    Map<String, Long> counted = new HashMap<>();
    for (String line : Jobs.outputLines(out, "count")) {
      String[] kv = line.split("\t");
      assertThat(counted.put(kv[0], Long.parseLong(kv[1]))).as("word %s in two partitions", kv[0]).isNull();
    }
    assertThat(counted).isEqualTo(reference(Jobs.EXAMPLES.resolve("data/text")));
    assertThat(end.getTasksList()).extracting(TaskStatus::getDone).allMatch(d -> d > 0);
    assertThat(end.getTasks(1).getInstances()).isEqualTo(4);
    // The status stays readable after the job-master has gone.
    assertThat(jobs.status(id).getState()).isEqualTo(end.getState());
    assertThat(jobs.list(true)).extracting(JobStatus::getJobId).contains(id);
    assertThat(Files.list(out.resolve("count")).toList()).hasSize(4);
    assertThat(List.of(end.getTasks(0).getRecordsOut())).allMatch(n -> n > 0);
  }
}
