package io.feitian.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.feitian.client.cli.FeitianCli;
import io.feitian.examples.sort.GenerateRecords;
import io.feitian.examples.wordcount.Words;
import io.feitian.job.client.JobClient;
import io.feitian.job.spec.JobSpecs;
import io.feitian.proto.fuxi.v1.AppState;
import io.feitian.proto.fuxi.v1.AppSpec;
import io.feitian.proto.fuxi.v1.ListAppsRequest;
import io.feitian.proto.fuxi.v1.SubmitAppRequest;
import io.feitian.proto.job.v1.JobSpec;
import io.feitian.proto.job.v1.JobState;
import io.feitian.proto.job.v1.JobStatus;
import io.feitian.proto.job.v1.ProcessMode;
import io.feitian.proto.job.v1.ProgramSpec;
import io.feitian.proto.job.v1.TaskStatus;
import io.grpc.Status;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The example jobs on a cluster of one fuxi-master and three task-worker
 * processes, every output checked against a reference computed here: no
 * record lost, none duplicated.
 */
class JobsIT {
  static final Duration TIMEOUT = Duration.ofMinutes(3);

  @TempDir
  static Path dir;

  static TestCluster cluster;
  static JobClient jobs;

  @BeforeAll
  static void start() throws Exception {
    cluster = TestCluster.withNodes(dir, 3);
    jobs = new JobClient(cluster.client());
  }

  @AfterAll
  static void stop() throws Exception {
    cluster.close();
  }

  static Map<String, Long> wordCounts(Path text) throws Exception {
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

  /** word -> count from "word<TAB>count" lines; a word twice is a duplicate across partitions. */
  static Map<String, Long> parseCounts(List<String> lines) {
    Map<String, Long> counted = new HashMap<>();
    for (String line : lines) {
      String[] kv = line.split("\t");
      assertThat(counted.put(kv[0], Long.parseLong(kv[1]))).as("word %s output twice", kv[0]).isNull();
    }
    return counted;
  }

  @Test
  void wordCountInThreadModeMatchesTheReference() throws Exception {
    Path out = dir.resolve("out-wordcount");
    String id = jobs.submit(Jobs.example("wordcount", out));
    JobStatus end = Jobs.run(jobs, id, TIMEOUT);
    Jobs.assertSucceeded(end);
    assertThat(parseCounts(Jobs.outputLines(out, "count"))).isEqualTo(wordCounts(Jobs.EXAMPLES.resolve("data/text")));
    assertThat(end.getTasks(1).getInstances()).isEqualTo(4);
    assertThat(end.getTasksList()).extracting(TaskStatus::getRecordsOut).allMatch(n -> n > 0);
    // Once the job-master has gone, the status is still there, from the application's record.
    assertThat(jobs.status(id)).isEqualTo(end);
    assertThat(jobs.list(true)).extracting(JobStatus::getJobId).contains(id);
  }

  @Test
  void instancesRunWhereTheirInputIsAndEveryGrantIsReturnedAtTheEnd() throws Exception {
    Path out = dir.resolve("out-local");
    JobSpec.Builder spec = Jobs.example("wordcount", out).toBuilder().setName("local-input");
    spec.getTasksBuilder(0).getInputBuilder().addNodes("tw-2");
    spec.getTasksBuilder(0).getResourcesBuilder().setCpuMillis(500);
    String id = jobs.submit(spec.build());
    JobStatus end = Jobs.run(jobs, id, TIMEOUT);
    Jobs.assertSucceeded(end);
    assertThat(parseCounts(Jobs.outputLines(out, "count"))).isEqualTo(wordCounts(Jobs.EXAMPLES.resolve("data/text")));
    // Every instance's log says where it ran: the node that holds the input.
    var logs = jobs.logs(id, "tokenize", -1);
    assertThat(logs).hasSize(end.getTasks(0).getInstances());
    assertThat(logs).allMatch(l -> l.getNodeId().equals("tw-2"));
    // Workers and the job-master gave everything back: the cluster is entirely free again.
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
      var status = cluster.status();
      assertThat(status.getFree()).isEqualTo(status.getTotal());
    });
  }

  @Test
  void wordCountWithAShellScriptReduceMatchesTheReference() throws Exception {
    Path out = dir.resolve("out-wordcount-sh");
    JobSpec.Builder spec = Jobs.example("wordcount", out).toBuilder().setName("wordcount-sh");
    spec.getTasksBuilder(1).setProgram(ProgramSpec.newBuilder().setProcess(ProcessMode.newBuilder()
        .addArgv("sh").addArgv(Jobs.EXAMPLES.resolve("scripts/count.sh").toString())));
    JobStatus end = Jobs.run(jobs, jobs.submit(spec.build()), TIMEOUT);
    Jobs.assertSucceeded(end);
    assertThat(parseCounts(Jobs.outputLines(out, "count"))).isEqualTo(wordCounts(Jobs.EXAMPLES.resolve("data/text")));
  }

  @Test
  void distributedSortIsGloballyOrderedAndComplete() throws Exception {
    Path records = dir.resolve("records");
    GenerateRecords.generate(records, 4, 5_000, 42);
    Path out = dir.resolve("out-sort");
    JobStatus end = Jobs.run(jobs, jobs.submit(Jobs.sort(records, out)), TIMEOUT);
    Jobs.assertSucceeded(end);
    assertThat(Jobs.outputLines(out, "sort")).hasSize(20_000).isEqualTo(Jobs.sorted(records));
    // The range partitions were used, not one partition holding everything.
    try (Stream<Path> parts = Files.list(out.resolve("sort"))) {
      assertThat(parts.filter(p -> p.toFile().length() > 0).count()).isGreaterThan(1);
    }
  }

  @Test
  void threeLevelsWithABroadcastGiveEveryWordItsShareOfTheTotal() throws Exception {
    Path out = dir.resolve("out-share");
    JobStatus end = Jobs.run(jobs, jobs.submit(Jobs.example("share", out)), TIMEOUT);
    Jobs.assertSucceeded(end);
    Map<String, Long> reference = wordCounts(Jobs.EXAMPLES.resolve("data/text"));
    long total = reference.values().stream().mapToLong(Long::longValue).sum();
    Map<String, Long> summed = new HashMap<>();
    for (String line : Jobs.outputLines(out, "share")) {
      String[] kv = line.split("\t");
      String[] share = kv[1].split("/");
      assertThat(Long.parseLong(share[1])).as(line).isEqualTo(total);
      summed.merge(kv[0], Long.parseLong(share[0]), Long::sum);
    }
    assertThat(summed).isEqualTo(reference);
  }

  @Test
  void aTaskThatAlwaysFailsFailsTheJobWithItsLogAndTheCliSaysSo() throws Exception {
    Path out = dir.resolve("out-fail");
    JobSpec.Builder spec = Jobs.example("wordcount", out).toBuilder().setName("doomed");
    spec.getTasksBuilder(1).setMaxAttempts(2).setProgram(ProgramSpec.newBuilder().setProcess(ProcessMode.newBuilder()
        .addArgv("sh").addArgv("-c").addArgv("echo 'reduce is broken' >&2; exit 3")));
    String id = jobs.submit(spec.build());
    JobStatus end = Jobs.run(jobs, id, TIMEOUT);
    assertThat(end.getState()).isEqualTo(JobState.JOB_STATE_FAILED);
    assertThat(end.getMessage()).contains("count[").contains("failed 2 times").contains("status 3");
    assertThat(end.getFailure().getText()).contains("reduce is broken");

    Cli wait = cli("job", "wait", id);
    assertThat(wait.code).isEqualTo(1);
    assertThat(wait.out).contains("FAILED").contains("reduce is broken");
    Cli logs = cli("job", "logs", id);
    assertThat(logs.code).isZero();
    assertThat(logs.out).contains("reduce is broken");
  }

  @Test
  void aKilledJobStopsItsWorkersAndFreesTheCluster() throws Exception {
    Path out = dir.resolve("out-killed");
    // Unique to this run, so that only this job's programs are looked for among the machine's processes (an orphan
    // of the job counts; another test's sleep does not).
    String sleep = "sleep 600." + ProcessHandle.current().pid();
    JobSpec.Builder spec = Jobs.example("wordcount", out).toBuilder().setName("endless");
    spec.getTasksBuilder(0).setProgram(ProgramSpec.newBuilder().setProcess(ProcessMode.newBuilder()
        .addArgv("sh").addArgv("-c").addArgv("echo started >&2; " + sleep)));
    String id = jobs.submit(spec.build());
    await().atMost(TIMEOUT).until(() -> {
      JobStatus s = jobs.status(id);
      return s.getTasksCount() > 0 && s.getTasks(0).getRunning() > 0;
    });
    Cli kill = cli("job", "kill", id, "--reason", "no longer needed");
    assertThat(kill.code).as(kill.err).isZero();
    JobStatus end = Jobs.run(jobs, id, TIMEOUT);
    assertThat(end.getState()).isEqualTo(JobState.JOB_STATE_KILLED);
    assertThat(end.getMessage()).isEqualTo("no longer needed");
    assertThat(Apps.get(cluster, id).getState()).as("the application ends killed too, not failed")
        .isEqualTo(AppState.APP_STATE_KILLED);
    // The sleeping instances were killed with their workers: nothing holds resources any more.
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
      var status = cluster.status();
      assertThat(status.getFree()).isEqualTo(status.getTotal());
    });
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(ProcessHandle.allProcesses()
        .map(h -> h.info().commandLine().orElse("")).filter(c -> c.contains(sleep))).isEmpty());
    assertThat(cli("job", "wait", id).code).isEqualTo(1);
  }

  @Test
  void theCliSubmitsWaitsAndReportsSuccess() throws Exception {
    Path out = dir.resolve("out-cli");
    Path file = dir.resolve("wordcount.json");
    Files.writeString(file, io.feitian.job.spec.JobSpecs.toJson(Jobs.example("wordcount", out).toBuilder()
        .setName("wordcount-cli").build()));
    Cli run = cli("job", "submit", "--wait", file.toString());
    assertThat(run.code).as(run.err).isZero();
    String id = run.out.lines().findFirst().orElseThrow();
    assertThat(run.out).contains("SUCCEEDED");
    Cli status = cli("job", "status", id, "--json");
    assertThat(status.code).isZero();
    assertThat(status.out).contains("\"state\": \"JOB_STATE_SUCCEEDED\"").contains("\"name\": \"count\"");
    assertThat(cli("job", "list", "--all").out).contains(id).contains("wordcount-cli");
    // Submitting the same description again would overwrite its output: refused before anything starts.
    Cli again = cli("job", "submit", file.toString());
    assertThat(again.code).isEqualTo(2);
    assertThat(again.err).contains("output_dir").contains("already holds output");
  }

  @Test
  void anInvalidJobIsRefusedByFuxiMasterNamingTheFieldAndNothingStarts() throws Exception {
    JobSpec bad = Jobs.example("wordcount", dir.resolve("out-bad")).toBuilder()
        .setPipelines(0, Jobs.example("wordcount", dir.resolve("x")).getPipelines(0).toBuilder().setPartitions(0))
        .build();
    int appsBefore = apps();
    // The structure is checked once, where the job is accepted: the CLI hands it to fuxi-master as it is.
    Path file = dir.resolve("bad.json");
    Files.writeString(file, JobSpecs.toJson(bad));
    Cli refused = cli("job", "submit", file.toString());
    assertThat(refused.code).isNotZero();
    assertThat(refused.err).contains("INVALID_ARGUMENT").contains("spec.description.pipelines[0].partitions");
    Cli cli = cli("job", "submit", Jobs.EXAMPLES.resolve("jobs/none.json").toString());
    assertThat(cli.code).isNotZero();
    assertThat(apps()).isEqualTo(appsBefore);
  }

  private static int apps() {
    return cluster.client().cluster(c -> c.listApps(ListAppsRequest.newBuilder().setAll(true).build())).getAppsCount();
  }

  record Cli(int code, String out, String err) {}

  static Cli cli(String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    all.add("--cluster=zk://" + cluster.zk.getConnectString());
    all.add("--cluster-name=it");
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    PrintStream oldOut = System.out;
    PrintStream oldErr = System.err;
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    try {
      int code = FeitianCli.run(all.toArray(String[]::new));
      return new Cli(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    } finally {
      System.setOut(oldOut);
      System.setErr(oldErr);
    }
  }
}
