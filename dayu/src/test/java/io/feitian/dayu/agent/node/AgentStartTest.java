package io.feitian.dayu.agent.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.feitian.dayu.agent.DayuAgentMain;
import io.feitian.dayu.agent.node.NodeTask.Purpose;
import io.feitian.testkit.ChildJvm;
import io.feitian.testkit.FreePorts;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node rebooted without systemd: a real dayu-agent process starts and starts again the module
 * that ran before, from the version {@code current} names, with no dayu-server to ask (the agent's
 * server address answers nothing).
 */
class AgentStartTest {
  private static final NodeIdentity NODE = new NodeIdentity("n1", "127.0.0.1", "r1");
  private static final Duration DEADLINE = Duration.ofSeconds(60);
  private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  @TempDir Path dir;
  private Path root;
  private Process agent;
  private Supervisor supervisor;
  private int port;

  @AfterEach
  void stop() throws Exception {
    if (agent != null) {
      ChildJvm.kill9(agent);
    }
    supervisor.stop(SampleModule.NAME, Duration.ofSeconds(2));
  }

  private Process startAgent(String name) {
    return ChildJvm.of(DayuAgentMain.class).log(dir.resolve(name + ".log"))
        .args("--set", "dayu.agent.server=127.0.0.1:" + FreePorts.one(), "--set", "dayu.agent.cluster=prod",
            "--set", "dayu.agent.host=n1", "--set", "dayu.agent.root=" + root)
        .start();
  }

  /** What the module answers on /VERSION; "" when nothing answers. */
  private String served() throws InterruptedException {
    try {
      HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/VERSION"))
          .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
      return r.statusCode() == 200 ? r.body() : "";
    } catch (IOException e) {
      return "";
    }
  }

  private void runAll(StepRunner runner, NodeTask task) throws InterruptedException {
    for (int i = 0; i < task.steps().size(); i++) {
      StepResult r = runner.run(task, i);
      assertThat(r.ok()).as("step %d %s: %s", i, task.steps().get(i), r.detail()).isTrue();
    }
  }

  @Test
  void anAgentStartingAfterARebootStartsTheModuleThatRanFromCurrent() throws Exception {
    root = dir.resolve("node").toAbsolutePath();
    NodeLayout layout = new NodeLayout(root);
    supervisor = new Supervisor(layout);
    port = FreePorts.one();
    Path published = dir.resolve("published");
    StepRunner runner = new StepRunner(root, NODE, new DirectoryPackageSource(published), supervisor,
        new HealthChecker(), Drainer.NONE, Clock.systemUTC());
    Map<String, String> params = Map.of("port", Integer.toString(port));
    SamplePackages.Built v1 = SampleModule.pack(dir, published, "1.0.0");
    SamplePackages.Built v2 = SampleModule.pack(dir, published, "2.0.0");
    runAll(runner, new NodeTask(SampleModule.descriptor("1.0.0", "5s"), Purpose.DEPLOY, "", "1.0.0", v1.sha256(),
        v1.size(), params));
    runAll(runner, new NodeTask(SampleModule.descriptor("2.0.0", "5s"), Purpose.UPGRADE, "1.0.0", "2.0.0",
        v2.sha256(), v2.size(), params));
    assertThat(Files.readSymbolicLink(layout.current(SampleModule.NAME))).hasToString("2.0.0");
    assertThat(served()).isEqualTo("2.0.0");

    // The node goes down: the agent first, then the module (kill -9 both, as a power cut would).
    agent = startAgent("agent-1");
    ChildJvm.kill9(agent);
    long pid = supervisor.running(SampleModule.NAME).orElseThrow().pid();
    assertThat(Commands.run(List.of("kill", "-9", Long.toString(pid)), DEADLINE).ok()).isTrue();
    await().atMost(DEADLINE).until(() -> supervisor.running(SampleModule.NAME).isEmpty());
    assertThat(served()).isEmpty();

    agent = startAgent("agent-2");

    await().atMost(DEADLINE).until(() -> served().equals("2.0.0"));
    ProcessControl.Running now = supervisor.running(SampleModule.NAME).orElseThrow();
    assertThat(now.pid()).isNotEqualTo(pid);
    assertThat(now.version()).isEqualTo("2.0.0");
    assertThat(Files.readString(layout.stderr(SampleModule.NAME))).contains("restarted 2.0.0 (pid " + pid + " ended)");
  }
}
