package io.feitian.dayu.agent.node;

import io.feitian.common.files.SafeFiles;
import static org.assertj.core.api.Assertions.assertThat;

import io.feitian.dayu.agent.node.ProcessControl.Launch;
import io.feitian.dayu.agent.node.ProcessControl.Running;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real processes (shell scripts around sleep) under a supervisor on a temporary root. */
class SupervisorTest {
  private static final Duration LONG = Duration.ofSeconds(5);

  @TempDir Path dir;
  private NodeLayout layout;
  private Supervisor supervisor;
  private Path home;
  private Process stranger;

  @BeforeEach
  void setUp() throws Exception {
    layout = new NodeLayout(dir.resolve("agent"));
    supervisor = new Supervisor(layout);
    home = Files.createDirectories(dir.resolve("home"));
  }

  @AfterEach
  void cleanUp() throws Exception {
    supervisor.stop("m", Duration.ofMillis(200));
    if (stranger != null) {
      stranger.destroyForcibly().waitFor();
    }
  }

  /** A launch of {@code script} (run by sh) as version {@code version} of module m. */
  private Launch launch(String version, String script) throws Exception {
    Path file = home.resolve("run-" + version + ".sh");
    Path tmp = home.resolve("run-" + version + ".tmp");
    Files.writeString(tmp, "#!/bin/sh\n" + script + "\n");
    Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
    // Renamed into place, never rewritten: a shell still reading the old script keeps it whole.
    Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    return new Launch("m", version, home, List.of(file.toString()), Map.of("GREETING", "hi"), Optional.empty());
  }

  private static boolean live(long pid) throws Exception {
    return ProcStat.of(pid).filter(ProcStat::live).isPresent();
  }

  private static long field(long pid, int index) throws Exception {
    String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
    return Long.parseLong(stat.substring(stat.lastIndexOf(')') + 2).split(" ")[index - 3]);
  }

  @Test
  void startsADetachedProcessAndRecordsPidStartTimeAndVersion() throws Exception {
    String did = supervisor.start(launch("1.0.0",
        "echo \"out $GREETING ${SECRET:-unset}\"; echo err >&2; exec sleep 30"), LONG);

    Running r = supervisor.running("m").orElseThrow();
    assertThat(did).isEqualTo("started pid " + r.pid());
    assertThat(r.version()).isEqualTo("1.0.0");
    // setsid(2) runs a moment after the exec the supervisor waited for.
    Awaitility.await().atMost(LONG).untilAsserted(() -> {
      assertThat(field(r.pid(), 6)).as("session leader, so no SIGHUP from the agent's terminal").isEqualTo(r.pid());
      assertThat(field(r.pid(), 5)).as("process group leader").isEqualTo(r.pid());
    });
    assertThat(layout.pidFile("m")).hasContent(r.pid() + " " + field(r.pid(), 22) + " 1.0.0");
    Awaitility.await().atMost(LONG).untilAsserted(() -> {
      assertThat(layout.stdout("m")).hasContent("out hi unset");
      assertThat(layout.stderr("m")).hasContent("err");
    });
    assertThat(supervisor.errorTail("m")).isEqualTo("err");
  }

  @Test
  void theEnvironmentIsTheLaunchsOverAFewInheritedVariables() throws Exception {
    supervisor.start(launch("1.0.0", "env | sort > env.tmp && mv env.tmp env.txt; exec sleep 30"), LONG);

    Awaitility.await().atMost(LONG).until(() -> Files.exists(home.resolve("env.txt")));
    List<String> names = Files.readAllLines(home.resolve("env.txt")).stream().map(l -> l.substring(0, l.indexOf('=')))
        .filter(n -> !List.of("PWD", "SHLVL", "_", "OLDPWD").contains(n)) // set by sh itself
        .toList();
    assertThat(names).contains("GREETING", "PATH").allMatch(n -> n.equals("GREETING") || Supervisor.INHERITED.contains(n));
  }

  @Test
  void aNewSupervisorFindsTheProcessAndStopsIt() throws Exception {
    // One launch: writing its script again could cut it under a shell that has not read it yet.
    Launch launch = launch("1.0.0", "exec sleep 30");
    supervisor.start(launch, LONG);
    long pid = supervisor.running("m").orElseThrow().pid();

    Supervisor restarted = new Supervisor(layout); // an agent restarted: it knows only the files
    assertThat(restarted.running("m")).contains(new Running(pid, "1.0.0"));
    assertThat(restarted.start(launch, LONG)).isEqualTo("already running, pid " + pid);

    assertThat(restarted.stop("m", LONG)).contains(new Running(pid, "1.0.0"));
    assertThat(live(pid)).isFalse();
    assertThat(layout.pidFile("m")).doesNotExist();
    assertThat(restarted.stop("m", LONG)).isEmpty();
  }

  @Test
  void stopTermsTheWholeGroupAndWaitsNoLongerThanItTakes() throws Exception {
    // A child in the background: the group signal must reach it too.
    supervisor.start(launch("1.0.0", "sleep 30 & echo $! > child.tmp && mv child.tmp child.pid; wait"), LONG);
    Awaitility.await().atMost(LONG).until(() -> Files.exists(home.resolve("child.pid")));
    long child = Long.parseLong(Files.readString(home.resolve("child.pid")).strip());
    long started = System.nanoTime();

    supervisor.stop("m", Duration.ofSeconds(10));

    assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(5));
    Awaitility.await().atMost(LONG).until(() -> !live(child));
  }

  @Test
  void aProcessIgnoringTermIsKilledAfterTheGrace() throws Exception {
    supervisor.start(launch("1.0.0", "trap '' TERM; touch trapped; exec sleep 30"), LONG);
    long pid = supervisor.running("m").orElseThrow().pid();
    // A TERM before the shell set its trap would end it: the test is of a process that ignores it.
    Awaitility.await().atMost(LONG).until(() -> Files.exists(home.resolve("trapped")));
    long started = System.nanoTime();

    supervisor.stop("m", Duration.ofMillis(300));

    assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(Duration.ofMillis(300));
    assertThat(live(pid)).isFalse();
  }

  @Test
  void startingAnotherVersionReplacesTheRunningOne() throws Exception {
    supervisor.start(launch("1.0.0", "exec sleep 30"), LONG);
    long old = supervisor.running("m").orElseThrow().pid();

    String did = supervisor.start(launch("2.0.0", "exec sleep 30"), LONG);

    Running now = supervisor.running("m").orElseThrow();
    assertThat(did).isEqualTo("stopped 1.0.0 (pid " + old + "), started pid " + now.pid());
    assertThat(now.version()).isEqualTo("2.0.0");
    assertThat(live(old)).isFalse();
  }

  @Test
  void aRecycledPidIsNeverTakenForTheModule() throws Exception {
    // The module's process ended long ago and the kernel gave its pid to an unrelated process:
    // the pid file names a live pid, but with the old process's start time.
    stranger = new ProcessBuilder("sleep", "30").start();
    long pid = stranger.pid();
    long startTicks = ProcStat.of(pid).orElseThrow().startTicks();
    SafeFiles.writeAtomically(layout.pidFile("m"), pid + " " + (startTicks - 1) + " 1.0.0\n");

    assertThat(supervisor.running("m")).isEmpty();
    assertThat(supervisor.stop("m", Duration.ofMillis(100))).isEmpty();
    assertThat(stranger.isAlive()).as("not signalled").isTrue();

    String did = supervisor.start(launch("1.0.0", "exec sleep 30"), LONG);
    assertThat(did).startsWith("started pid ");
    assertThat(supervisor.running("m").orElseThrow().pid()).isNotEqualTo(pid);
    assertThat(stranger.isAlive()).isTrue();
  }

  @Test
  void aProcessThatEndedIsNotRunning() throws Exception {
    // Not at once: the supervisor must see it start before it ends.
    supervisor.start(launch("1.0.0", "sleep 0.5; exit 3"), LONG);
    assertThat(supervisor.running("m")).isPresent();

    Awaitility.await().atMost(LONG).until(() -> supervisor.running("m").isEmpty());
    assertThat(supervisor.stop("m", LONG)).isEmpty();
  }

  @Test
  void theStartTimeIsCountedFromTheLastParenthesis() {
    // A command name may hold spaces and parentheses: "a) b" below.
    String stat = "42 (a) b) S 1 42 42 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 987654 1000 10";

    assertThat(ProcStat.parse(stat)).contains(new ProcStat('S', 987654));
    assertThat(ProcStat.parse("42 (x) Z 1")).isEmpty();
    assertThat(ProcStat.parse(stat.replace(" S ", " Z ")).orElseThrow().live()).isFalse();
  }
}
