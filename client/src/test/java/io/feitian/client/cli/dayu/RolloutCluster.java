package io.feitian.client.cli.dayu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.feitian.testkit.SamplePackages;
import io.feitian.testkit.SimAgent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * For the rollout commands' tests: a real dayu-server on loopback with cluster "prod", its nodes
 * (role worker) each with a simulated agent speaking the real protocol, and module "app" 1.0.0 and
 * 2.0.0 published (six steps to deploy or upgrade) — all set up through the CLI itself.
 */
final class RolloutCluster implements AutoCloseable {
  static final Duration DEADLINE = Duration.ofSeconds(30);

  private final RunningDayuServer server;
  private final List<SimAgent> agents = new ArrayList<>();

  RolloutCluster(Path dir) throws Exception {
    server = new RunningDayuServer(dir.resolve("data"), Map.of());
    ok("cluster", "add", "prod");
    for (String version : List.of("1.0.0", "2.0.0")) {
      Path p = Files.write(dir.resolve("app-" + version + ".tar.gz"), SamplePackages.sample("app", version));
      ok("module", "publish", p.toString());
    }
  }

  String address() {
    return server.address();
  }

  /** Adds node {@code host} and starts its agent with {@code installed}; returns once its Watch is open. */
  SimAgent node(String host, Map<String, String> installed) {
    ok("node", "add", "-c", "prod", host, "--rack", "r1", "--roles", "worker");
    SimAgent a = new SimAgent(address(), "prod", host, installed);
    agents.add(a);
    await().atMost(DEADLINE).until(a::watching);
    return a;
  }

  List<SimAgent> agents() {
    return List.copyOf(agents);
  }

  /** {@code feitian dayu ARGS --server <the server>} in this JVM. */
  CliRun dayu(String... args) {
    return CliRun.dayu(address(), args);
  }

  /** Runs a command that must succeed; returns what it printed. */
  String ok(String... args) {
    return dayu(args).ok();
  }

  /** Every agent, every step: none ran twice. */
  void noStepRanTwice() {
    assertThat(agents).flatMap(SimAgent::stepsRunTwice).isEmpty();
  }

  @Override
  public void close() {
    agents.forEach(SimAgent::close);
    server.close();
  }
}
