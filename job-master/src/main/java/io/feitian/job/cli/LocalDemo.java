package io.feitian.job.cli;

import io.feitian.client.ClusterTarget;
import io.feitian.client.FeitianClient;
import io.feitian.client.cli.LocalClusterOptions;
import io.feitian.client.cli.Printer;
import io.feitian.client.local.LocalCluster;
import io.feitian.job.client.JobClient;
import io.feitian.job.spec.JobSpecs;
import io.feitian.proto.job.v1.JobSpec;
import io.feitian.proto.job.v1.JobState;
import io.feitian.proto.job.v1.JobStatus;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * `feitian local demo`: a local cluster, the word count example over the
 * bundled sample text, its progress, the top words, and the cluster stopped
 * again. Exit code 0 only if the job succeeded.
 */
@Command(name = "demo", description = "Start a local cluster, run the word count example on sample text, show the"
    + " result, stop the cluster.")
final class LocalDemo implements Callable<Integer> {
  @Mixin
  LocalClusterOptions where;

  @Option(names = "--output", defaultValue = ".feitian/output",
      description = "Where job outputs go (a new directory per run); default ${DEFAULT-VALUE}.")
  Path output;

  @Option(names = "--top", defaultValue = "10", description = "Words to show; default ${DEFAULT-VALUE}.")
  int top;

  @Option(names = "--examples", description = "The examples directory (jobs/, data/, the examples jar); default: the"
      + " distribution's, or ./examples in the source tree.")
  Path examplesDir;

  @Spec
  CommandSpec spec;

  /** The examples: in a distribution, $FEITIAN_HOME/examples (jar in lib/); in the source tree, ./examples. */
  static Path examples() {
    String home = System.getenv("FEITIAN_HOME");
    Path dist = home == null ? null : Path.of(home, "examples");
    return dist != null && Files.isDirectory(dist) ? dist : Path.of("examples").toAbsolutePath();
  }

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    Path examples = examplesDir != null ? examplesDir.toAbsolutePath() : examples();
    Path runOutput = output.toAbsolutePath().normalize()
        .resolve("wordcount-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
    JobSpec job = wordCount(examples, runOutput);

    LocalCluster.Layout layout = where.layout();
    // ZooKeeper and Fuxi only: the demo watches its job through the job-master, and Shennong's nine JVMs
    // would take the CPU the job runs on (the demo ran as fast as this before Shennong was in local up).
    LocalCluster cluster = new LocalCluster(layout, new PrintStream(System.out, true), false, false);
    out.println("starting a local cluster in " + layout.dir().toAbsolutePath().normalize() + " ...");
    out.flush();
    Thread stopper = new Thread(cluster::stop);
    Runtime.getRuntime().addShutdownHook(stopper);
    try {
      List<LocalCluster.Member> members = cluster.up();
      Printer.table(out, List.of("DAEMON", "ADDRESS", "LOG"),
          members.stream().map(m -> List.of(m.name(), m.address(), m.log().toString())).toList());
      try (FeitianClient client = new FeitianClient(new ClusterTarget.ZooKeeper(layout.zkConnect(),
          LocalCluster.CLUSTER_NAME, "feitian"), FeitianClient.Options.defaults())) {
        return runJob(out, new JobClient(client), job, runOutput);
      }
    } finally {
      out.println("stopping the local cluster ...");
      out.flush();
      cluster.stop();
      Runtime.getRuntime().removeShutdownHook(stopper);
      out.println("stopped");
      out.flush();
    }
  }

  private static JobSpec wordCount(Path examples, Path runOutput) throws IOException {
    Path file = examples.resolve("jobs/wordcount.json");
    return JobSpecs.resolvePaths(JobSpecs.fromJson(Files.readString(file)), file.getParent(), runOutput).toBuilder()
        .setOutputDir(runOutput.toString()).build();
  }

  private int runJob(PrintWriter out, JobClient jobs, JobSpec job, Path runOutput) throws Exception {
    Path text = Path.of(job.getTasks(0).getInput().getPaths(0));
    long bytes;
    long files;
    try (Stream<Path> s = Files.list(text)) {
      List<Path> all = s.filter(Files::isRegularFile).toList();
      files = all.size();
      bytes = all.stream().mapToLong(p -> p.toFile().length()).sum();
    }
    out.printf("%nsubmitting word count over %d files of sample text (%d KiB) in %s%n", files, bytes / 1024, text);
    String id = jobs.submit(job);
    out.println("job " + id + ": follow it from another terminal with ./feitian job status " + id);
    out.flush();
    boolean tty = System.console() != null;
    JobStatus[] last = {null};
    JobStatus end = jobs.watch(id, s -> {
      if (tty) {
        out.print("\033[H\033[2J");
        JobCommand.human(out, s, true);
      } else if (last[0] == null || progress(last[0]) != progress(s)) {
        out.println("  " + JobCommand.state(s.getState()) + ": " + progress(s) + "% of instances done");
      }
      out.flush();
      last[0] = s;
    });
    if (!tty) {
      out.println();
      JobCommand.human(out, end, false);
    }
    if (end.getState() != JobState.JOB_STATE_SUCCEEDED) {
      return 1;
    }
    out.println();
    out.println("top " + top + " words:");
    List<List<String>> rows = new ArrayList<>();
    for (Map.Entry<String, Long> e : topWords(runOutput.resolve("count"), top)) {
      rows.add(List.of(e.getKey(), Long.toString(e.getValue())));
    }
    Printer.table(out, List.of("WORD", "COUNT"), rows);
    out.println("full output: " + runOutput.resolve("count") + "/part-*");
    out.flush();
    return 0;
  }

  private static int progress(JobStatus s) {
    int done = 0;
    int all = 0;
    for (var t : s.getTasksList()) {
      done += t.getDone();
      all += t.getInstances();
    }
    return all == 0 ? 0 : done * 100 / all;
  }

  static List<Map.Entry<String, Long>> topWords(Path dir, int n) throws IOException {
    List<Map.Entry<String, Long>> all = new ArrayList<>();
    try (Stream<Path> parts = Files.list(dir)) {
      for (Path p : parts.filter(f -> f.getFileName().toString().startsWith("part-")).toList()) {
        for (String line : Files.readAllLines(p)) {
          String[] kv = line.split("\t");
          all.add(Map.entry(kv[0], Long.parseLong(kv[1])));
        }
      }
    }
    all.sort(Map.Entry.<String, Long>comparingByValue(Comparator.reverseOrder()).thenComparing(Map.Entry.comparingByKey()));
    return all.subList(0, Math.min(n, all.size()));
  }
}
