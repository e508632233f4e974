package io.feitian.shennong.inspector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.feitian.common.config.ConfigLoader;
import io.feitian.shennong.agent.ShennongAgent;
import io.feitian.testkit.FreePorts;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.apache.curator.test.InstanceSpec;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real inspector sending to a real shennong-agent (embedded ZooKeeper, no master needed) that
 * is stopped and started again on the same port: the inspector notices the outage and the new
 * agent receives its readings without anyone touching the inspector.
 */
class InspectorAgentRestartTest {
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @TempDir
  Path dir;

  @Test
  void keepsSendingToAnAgentRestartedOnTheSamePort() throws Exception {
    int port = FreePorts.one();
    try (TestingServer zk = new TestingServer(new InstanceSpec(dir.toFile(), -1, -1, -1, true, -1, 200, -1), true)) {
      Map<String, Object> settings = Map.of("feitian.zookeeper.connect", zk.getConnectString(),
          "shennong.agent.node-id", "n1", "shennong.agent.port", port, "shennong.agent.metrics.port", 0,
          "feitian.shennong.agent", "127.0.0.1:" + port, "shennong.inspector.node-id", "n1",
          "shennong.inspector.interval", "200ms");
      ShennongAgent first = new ShennongAgent(ConfigLoader.load(null, settings));
      first.start();
      try (ShennongInspector inspector = new ShennongInspector(ConfigLoader.load(null, settings))) {
        inspector.start();
        awaitInspectorSeriesIn(first);

        first.close();
        await().atMost(Duration.ofSeconds(10)).until(() -> !inspector.agentAnswering());

        ShennongAgent second = new ShennongAgent(ConfigLoader.load(null, settings));
        second.start();
        try {
          awaitInspectorSeriesIn(second);
          await().atMost(Duration.ofSeconds(10)).until(inspector::agentAnswering);
        } finally {
          second.close();
        }
      } finally {
        first.close();
      }
    }
  }

  /** Waits until the agent's /metrics shows the machine's memory as the inspector labels it. */
  private void awaitInspectorSeriesIn(ShennongAgent agent) {
    URI metrics = URI.create("http://127.0.0.1:" + agent.metricsPort().orElseThrow() + "/metrics");
    await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
      String text = http.send(HttpRequest.newBuilder(metrics).timeout(Duration.ofSeconds(5)).build(),
          HttpResponse.BodyHandlers.ofString()).body();
      assertThat(text).containsPattern("(?m)^system_memory_total_bytes\\{node=\"n1\"\\} [0-9.eE+]+$")
          .contains("system_cpu_usage{node=\"n1\"}");
    });
  }
}
