package io.feitian.dayu.agent.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.feitian.dayu.agent.node.NodeTask.Purpose;
import io.feitian.dayu.descriptor.Step;
import io.feitian.dayu.descriptor.StepKind;
import io.feitian.testkit.FreePorts;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The steps of module {@code sample} (a real HTTP server, see {@link SampleModule}) on a node in a temporary directory. */
class StepRunnerTest {
  private static final NodeIdentity NODE = new NodeIdentity("n1", "127.0.0.1", "rack-a");
  private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  @TempDir Path dir;
  private Path root;
  private Path published;
  private NodeLayout layout;
  private Supervisor supervisor;
  private StepRunner runner;
  private int port;
  private final List<String> drained = new ArrayList<>();

  @BeforeEach
  void setUp() {
    root = dir.resolve("agent");
    published = dir.resolve("published");
    layout = new NodeLayout(root);
    port = FreePorts.one();
    runner = newAgent();
  }

  /** A new agent instance on the same root, as after a restart: nothing shared but the files. */
  private StepRunner newAgent() {
    supervisor = new Supervisor(layout);
    Drainer drainer = (module, values, timeout) -> {
      drained.add(module + " " + timeout.toMillis() + " " + values.get("node.id"));
      return "drained";
    };
    return new StepRunner(root, NODE, new DirectoryPackageSource(published), supervisor, new HealthChecker(), drainer,
        Clock.systemUTC());
  }

  @AfterEach
  void stopSample() throws Exception {
    supervisor.stop(SampleModule.NAME, Duration.ofSeconds(1));
  }

  private NodeTask task(Purpose purpose, String from, String to, Map<String, String> params, String healthTimeout)
      throws Exception {
    String version = purpose == Purpose.REMOVE ? from : to;
    SamplePackages.Built pkg = SampleModule.pack(dir, published, version);
    return new NodeTask(SampleModule.descriptor(version, healthTimeout), purpose, from, to,
        purpose == Purpose.REMOVE ? "" : pkg.sha256(), purpose == Purpose.REMOVE ? 0 : pkg.size(), params);
  }

  private NodeTask deploy(String version) throws Exception {
    return task(Purpose.DEPLOY, "", version, Map.of("port", Integer.toString(port)), "3s");
  }

  /** Runs every step from the first, asserting each succeeds; the details in order. */
  private List<String> runAll(NodeTask task) throws InterruptedException {
    List<String> details = new ArrayList<>();
    for (int i = 0; i < task.steps().size(); i++) {
      StepResult r = runner.run(task, i);
      assertThat(r.ok()).as("step %d %s: %s", i, task.steps().get(i), r.detail()).isTrue();
      details.add(r.detail());
    }
    return details;
  }

  private String get(String path) throws IOException, InterruptedException {
    HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/" + path))
        .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as("GET /%s", path).isEqualTo(200);
    return r.body();
  }

  private long pid() throws Exception {
    return supervisor.running(SampleModule.NAME).orElseThrow().pid();
  }

  private static int indexOf(NodeTask task, StepKind kind) {
    List<Step> steps = task.steps();
    for (int i = 0; i < steps.size(); i++) {
      if (steps.get(i).kind() == kind) {
        return i;
      }
    }
    throw new AssertionError(kind + " not in " + steps);
  }

  @Test
  void deployRunsEveryStepAndServes() throws Exception {
    NodeTask task = deploy("1.0.0");
    assertThat(runner.resume(task)).isZero();

    List<String> details = runAll(task);

    assertThat(details.subList(0, 5)).containsExactly("fetched " + task.size() + " bytes",
        "sha256 " + task.sha256() + " as published", "unpacked 1.0.0; current -> 1.0.0", "wrote 1 of 1 files",
        "started pid " + pid());
    // The server takes a moment to listen: the first attempts may be refused.
    assertThat(details.get(5)).startsWith("GET http://127.0.0.1:" + port + "/health: HTTP 200");
    Path home = layout.versionDir("sample", "1.0.0");
    assertThat(Files.readSymbolicLink(layout.current("sample"))).isEqualTo(Path.of("1.0.0"));
    assertThat(get("VERSION")).isEqualTo("1.0.0");
    assertThat(Files.readString(home.resolve("conf/sample.conf")))
        .isEqualTo("port = " + port + "\nnode = n1\nhome = " + home.toAbsolutePath() + "\n");
    assertThat(get("greeting")).as("the environment, rendered with the default").isEqualTo("hello");
    assertThat(Files.readString(layout.pidFile("sample"))).startsWith(pid() + " ").endsWith(" 1.0.0\n");
    assertThat(runner.resume(task)).isEqualTo(task.steps().size());
  }

  @Test
  void upgradeSwitchesCurrentAndRestarts() throws Exception {
    runAll(deploy("1.0.0"));
    long before = pid();
    NodeTask upgrade = task(Purpose.UPGRADE, "1.0.0", "2.0.0", Map.of("port", Integer.toString(port)), "3s");

    List<String> details = runAll(upgrade);

    assertThat(details.get(indexOf(upgrade, StepKind.STOP))).isEqualTo("stopped 1.0.0 (pid " + before + ")");
    assertThat(pid()).isNotEqualTo(before);
    assertThat(ProcStat.of(before).filter(ProcStat::live)).isEmpty();
    assertThat(Files.readSymbolicLink(layout.current("sample"))).isEqualTo(Path.of("2.0.0"));
    assertThat(get("VERSION")).isEqualTo("2.0.0");
    assertThat(layout.versionDir("sample", "1.0.0")).as("kept for a rollback").isDirectory();
    assertThat(Files.list(layout.journalDir()).map(p -> p.getFileName().toString()))
        .as("the deploy's journal went when the upgrade began").containsExactly("sample@2.0.0.upgrade");
  }

  @Test
  void removeDrainsStopsAndDeletesEverything() throws Exception {
    runAll(deploy("1.0.0"));
    long pid = pid();
    NodeTask remove = task(Purpose.REMOVE, "1.0.0", "", Map.of(), "3s");

    List<String> details = runAll(remove);

    assertThat(drained).containsExactly("sample 1000 n1");
    assertThat(details).containsExactly("drained",
        "stopped 1.0.0 (pid " + pid + "); removed " + layout.moduleDir("sample").toAbsolutePath());
    assertThat(ProcStat.of(pid).filter(ProcStat::live)).isEmpty();
    assertThat(layout.moduleDir("sample")).doesNotExist();
    assertThat(layout.packages("sample")).doesNotExist();
    assertThat(runner.resume(remove)).isEqualTo(remove.steps().size());

    NodeTask again = deploy("1.0.0");
    assertThat(runner.resume(again)).as("a deploy after the removal starts over").isZero();
  }

  @Test
  void checksumMismatchFailsVerifyAndDeletesThePackage() throws Exception {
    NodeTask good = deploy("1.0.0");
    String wrong = "0".repeat(64);
    NodeTask bad = new NodeTask(good.descriptor(), Purpose.DEPLOY, "", "1.0.0", wrong, good.size(), good.parameters());

    assertThat(runner.run(bad, 0).ok()).isTrue();
    StepResult verify = runner.run(bad, 1);

    assertThat(verify.ok()).isFalse();
    assertThat(verify.detail()).isEqualTo("sha256 mismatch: expected " + wrong + ", got " + good.sha256()
        + "; the package was deleted");
    assertThat(layout.packageFile("sample", "1.0.0")).doesNotExist();
    assertThat(runner.resume(bad)).as("verify is still to do").isEqualTo(1);
  }

  @Test
  void fetchRefusesAPackageOfTheWrongSize() throws Exception {
    NodeTask good = deploy("1.0.0");
    NodeTask bad = new NodeTask(good.descriptor(), Purpose.DEPLOY, "", "1.0.0", good.sha256(), good.size() + 1,
        good.parameters());

    StepResult fetch = runner.run(bad, 0);

    assertThat(fetch.ok()).isFalse();
    assertThat(fetch.detail()).isEqualTo("fetched " + good.size() + " bytes, but the package has " + (good.size() + 1));
    assertThat(layout.packages("sample")).isEmptyDirectory();
  }

  @Test
  void failingHealthCheckFailsTheStep() throws Exception {
    NodeTask task = task(Purpose.DEPLOY, "", "1.0.0", Map.of("port", Integer.toString(port), "health-path", "missing"),
        "600ms");
    int health = indexOf(task, StepKind.HEALTH_CHECK);
    for (int i = 0; i < health; i++) {
      assertThat(runner.run(task, i).ok()).isTrue();
    }
    // Listening first (python takes a while on a loaded machine): the 600 ms are for the 404s.
    org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30)).ignoreExceptions()
        .until(() -> get("VERSION").equals("1.0.0"));

    StepResult r = runner.run(task, health);

    assertThat(r.ok()).isFalse();
    assertThat(r.detail()).startsWith("not healthy after 600 ms (")
        .endsWith("GET http://127.0.0.1:" + port + "/missing: HTTP 404, expected 200");
    assertThat(r.duration()).isGreaterThanOrEqualTo(Duration.ofMillis(600)).isLessThan(Duration.ofSeconds(5));
    assertThat(runner.resume(task)).isEqualTo(health);
  }

  @Test
  void healthCheckFailsAtOnceWhenTheProcessDied() throws Exception {
    NodeTask task = deploy("1.0.0");
    int health = indexOf(task, StepKind.HEALTH_CHECK);
    for (int i = 0; i < health; i++) {
      assertThat(runner.run(task, i).ok()).isTrue();
    }
    long pid = pid();
    Commands.run(List.of("kill", "-KILL", Long.toString(pid)), Duration.ofSeconds(5));
    org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5))
        .until(() -> ProcStat.of(pid).filter(ProcStat::live).isEmpty());

    StepResult r = runner.run(task, health);

    assertThat(r.ok()).isFalse();
    assertThat(r.detail()).startsWith("not healthy, and the process is not running: GET ");
    assertThat(r.duration()).as("no waiting for the timeout").isLessThan(Duration.ofSeconds(3));
  }

  @Test
  void resumeAfterAKillSkipsFinishedStepsAndKeepsTheHealthyProcess() throws Exception {
    NodeTask task = deploy("1.0.0");
    int start = indexOf(task, StepKind.START);
    for (int i = 0; i <= start; i++) {
      assertThat(runner.run(task, i).ok()).isTrue();
    }
    long pid = pid();

    runner = newAgent(); // the agent was killed after start; a new one reads only the disk
    int next = runner.resume(task);

    assertThat(next).isEqualTo(start + 1);
    for (int i = next; i < task.steps().size(); i++) {
      assertThat(runner.run(task, i).ok()).isTrue();
    }
    assertThat(pid()).isEqualTo(pid);
    assertThat(runner.resume(task)).isEqualTo(task.steps().size());

    // Killed after starting the process but before recording it: start runs again and finds it.
    StepResult startAgain = newAgent().run(task, start);
    assertThat(startAgain.detail()).isEqualTo("already running, pid " + pid);
  }

  @Test
  void runningAFinishedStepAgainChangesNothing() throws Exception {
    NodeTask task = deploy("1.0.0");
    runAll(task);
    long pid = pid();
    Map<String, String> before = snapshot(root);

    List<String> again = runAll(task);

    assertThat(again).containsExactly("already fetched, " + task.size() + " bytes",
        "sha256 " + task.sha256() + " as published", "1.0.0 already installed and current",
        "wrote 0 of 1 files (all up to date)", "already running, pid " + pid,
        "GET http://127.0.0.1:" + port + "/health: HTTP 200");
    assertThat(snapshot(root)).isEqualTo(before);
    assertThat(pid()).isEqualTo(pid);
  }

  @Test
  void aTaskWithOtherParametersStartsOverAndRewritesTheConfiguration() throws Exception {
    runAll(deploy("1.0.0"));
    NodeTask other = task(Purpose.DEPLOY, "", "1.0.0", Map.of("port", Integer.toString(port + 1)), "3s");

    assertThat(runner.resume(other)).isZero();
    assertThat(runner.run(other, indexOf(other, StepKind.CONFIGURE)).detail()).isEqualTo("wrote 1 of 1 files");
    assertThat(Files.readString(layout.versionDir("sample", "1.0.0").resolve("conf/sample.conf")))
        .startsWith("port = " + (port + 1) + "\n");
  }

  @Test
  void stepIndexOutsideTheStepsIsRefused() throws Exception {
    NodeTask task = deploy("1.0.0");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> runner.run(task, task.steps().size()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("stepIndex 6 is not one of the 6 steps");
  }

  /** Every file and link under {@code root} (logs aside: the server writes a line per request) with its time and size or target. */
  private static Map<String, String> snapshot(Path root) throws IOException {
    Map<String, String> out = new TreeMap<>();
    try (Stream<Path> all = Files.walk(root)) {
      for (Path p : (Iterable<Path>) all::iterator) {
        if (p.toString().endsWith(".log")) {
          continue;
        }
        String what = Files.isSymbolicLink(p) ? "-> " + Files.readSymbolicLink(p)
            : Files.getLastModifiedTime(p, LinkOption.NOFOLLOW_LINKS) + " " + (Files.isDirectory(p) ? "dir" : Files.size(p));
        out.put(root.relativize(p).toString(), what);
      }
    }
    return out;
  }
}
