package io.feitian.client.cli.dayu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.feitian.client.cli.FeitianCli;
import io.feitian.common.grpc.Channels;
import io.feitian.common.security.SecuritySettings;
import io.feitian.proto.dayu.v1.RolloutInfo;
import io.feitian.proto.dayu.v1.RolloutKind;
import io.feitian.proto.dayu.v1.RolloutStrategy;
import io.feitian.proto.dayu.v1.StartRolloutRequest;
import io.feitian.testkit.ChildJvm;
import io.feitian.testkit.SimAgent;
import java.io.BufferedReader;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The interactive mode: the CLI started on a real pseudo-terminal in a child JVM (util-linux
 * {@code script}, see {@link ChildJvm#onTerminal()}) and answered by typing, and the questions'
 * logic with injected streams.
 */
class InteractiveRolloutTest {
  @TempDir
  Path dir;
  private RolloutCluster cluster;
  private Process cli;

  @AfterEach
  void stop() {
    if (cli != null) {
      ChildJvm.kill9(cli);
    }
    if (cluster != null) {
      cluster.close();
    }
  }

  /** Starts {@code feitian dayu ARGS} on a terminal; returns where what it types is written. */
  private Writer onTerminal(Path log, String... args) {
    ChildJvm jvm = ChildJvm.of(FeitianCli.class).args("dayu").args(args).args("--server", cluster.address())
        .log(log).onTerminal();
    cli = jvm.start();
    return new OutputStreamWriter(cli.getOutputStream(), StandardCharsets.UTF_8);
  }

  /** What the terminal showed so far, with LF line ends. */
  private static String screen(Path log) throws Exception {
    return Files.exists(log) ? Files.readString(log).replace("\r", "") : "";
  }

  private static void awaitScreen(Path log, String text) {
    await().atMost(RolloutCluster.DEADLINE).until(() -> screen(log).contains(text));
  }

  private static void type(Writer typing, String line) throws Exception {
    typing.write(line + "\n");
    typing.flush();
  }

  private int exitCode() throws Exception {
    assertThat(cli.waitFor(RolloutCluster.DEADLINE.toSeconds(), TimeUnit.SECONDS)).as("the CLI ended").isTrue();
    return cli.exitValue();
  }

  @Test
  void onATerminalTheOperatorApprovesEachBatch() throws Exception {
    cluster = new RolloutCluster(dir);
    SimAgent n1 = cluster.node("n1", Map.of());
    SimAgent n2 = cluster.node("n2", Map.of());

    Path log = dir.resolve("deploy.log");
    Writer typing = onTerminal(log, "deploy", "-c", "prod", "app=1.0.0", "--min-healthy", "0s");
    awaitScreen(log, "Start batch 1 of app (n1)? [y/N/a(bort)] ");
    // The plan came first; nothing ran before the answer.
    assertThat(screen(log)).startsWith("rollout 1 of prod: DEPLOY app=1.0.0\n"
        + "state:    RUNNING, batch 1 of app awaits approval\n")
        .containsPattern("batch 1/2\\s+AWAITING APPROVAL\\s+n1\n").containsPattern("batch 2/2\\s+waiting\\s+n2\n");
    assertThat(n1.ran()).isEmpty();

    type(typing, "maybe");
    awaitScreen(log, "y starts the batch, n leaves the rollout waiting, a aborts it\n"
        + "Start batch 1 of app (n1)? [y/N/a(bort)] ");
    type(typing, "y");
    awaitScreen(log, "Start batch 2 of app (n2)? [y/N/a(bort)] ");
    assertThat(n1.installed()).containsEntry("app", "1.0.0");
    assertThat(n2.ran()).as("n2 waits for its approval").isEmpty();
    type(typing, "y");

    assertThat(exitCode()).isZero();
    String end = screen(log).substring(screen(log).lastIndexOf("rollout 1 of prod"));
    // A terminal gets progress bars.
    assertThat(end).contains("state:    SUCCEEDED\n")
        .containsPattern("n2\\s+none -> 1\\.0\\.0\\s+SUCCEEDED\\s+\\[#{20}\\] 100% 6/6");
    assertThat(n2.installed()).containsEntry("app", "1.0.0");

    // Aborting at the second batch: the CLI ends with the rollout, non-zero.
    Path upgrade = dir.resolve("upgrade.log");
    typing = onTerminal(upgrade, "upgrade", "-c", "prod", "app=2.0.0", "--min-healthy", "0s");
    awaitScreen(upgrade, "Start batch 1 of app (n1)? [y/N/a(bort)] ");
    type(typing, "y");
    awaitScreen(upgrade, "Start batch 2 of app (n2)? [y/N/a(bort)] ");
    type(typing, "a");
    assertThat(exitCode()).isEqualTo(1);
    assertThat(screen(upgrade)).contains("rollout 2: ABORTED: aborted by the operator\n");
    assertThat(n1.installed()).containsEntry("app", "2.0.0");
    assertThat(n2.installed()).containsEntry("app", "1.0.0");

    // --yes on a terminal: automated, nothing asked.
    Path again = dir.resolve("again.log");
    onTerminal(again, "upgrade", "-c", "prod", "app=2.0.0", "--min-healthy", "0s", "--batch", "2", "--yes",
        "--wait");
    assertThat(exitCode()).isZero();
    assertThat(screen(again)).doesNotContain("[y/N/a(bort)]").contains("state:    SUCCEEDED");
    cluster.noStepRanTwice();
  }

  @Test
  void answersReadFromInjectedStreams() throws Exception {
    cluster = new RolloutCluster(dir);
    List<SimAgent> agents = List.of(cluster.node("n1", Map.of()), cluster.node("n2", Map.of()),
        cluster.node("n3", Map.of()));
    try (DayuConnection server = new DayuConnection(Channels.open(cluster.address(), SecuritySettings.INSECURE),
        Duration.ofSeconds(10))) {
      RolloutInfo started = server.rollouts().startRollout(StartRolloutRequest.newBuilder().setCluster("prod")
          .setKind(RolloutKind.DEPLOY).putTargets("app", "1.0.0")
          .setStrategy(RolloutStrategy.newBuilder().setMinHealthy("0s").setInteractive(true)).build());

      // Batch 1 approved after a word that is no answer; batch 2 left waiting (an empty line: N).
      StringWriter shown = new StringWriter();
      RolloutInfo left = follower(server, shown, "what?\ny\n\n").follow(started);
      assertThat(shown.toString()).contains("Start batch 1 of app (n1)? [y/N/a(bort)] y starts the batch, n leaves the"
          + " rollout waiting, a aborts it\nStart batch 1 of app (n1)? [y/N/a(bort)] ")
          .contains("  n1  app none -> 1.0.0  SUCCEEDED  6/6\n")
          .endsWith("Start batch 2 of app (n2)? [y/N/a(bort)] rollout 1 waits for approval of batch 2 of app:"
              + " `feitian dayu approve 1` starts it, `feitian dayu abort 1` stops the rollout\n");
      assertThat(left.getState()).isEqualTo("RUNNING");
      assertThat(left.getAwaitingApproval()).isTrue();
      assertThat(agents.get(1).ran()).isEmpty();

      // The end of the input is N too.
      assertThat(follower(server, new StringWriter(), "").follow(left).getAwaitingApproval()).isTrue();

      // Picked up again: approve batch 2, abort before batch 3.
      shown = new StringWriter();
      RolloutInfo end = follower(server, shown, "yes\nabort\n").follow(left);
      assertThat(end.getState()).isEqualTo("ABORTED");
      assertThat(shown.toString()).contains("Start batch 3 of app (n3)? [y/N/a(bort)] rollout 1: ABORTED");
      assertThat(agents.get(1).installed()).containsEntry("app", "1.0.0");
      assertThat(agents.get(2).ran()).isEmpty();
    }
  }

  private static RolloutFollower follower(DayuConnection server, StringWriter shown, String typed) {
    return new RolloutFollower(server, new PrintWriter(shown, true), false,
        new BufferedReader(new StringReader(typed)), Duration.ofMillis(50), Duration.ofSeconds(10));
  }
}
