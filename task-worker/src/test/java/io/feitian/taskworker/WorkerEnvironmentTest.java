package io.feitian.taskworker;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.feitian.common.security.SecuritySettings;
import io.feitian.taskworker.process.LaunchRequest;
import io.feitian.taskworker.process.ProcessSupervisor;
import io.feitian.taskworker.process.WorkerSnapshot;
import io.feitian.taskworker.process.WorkerState;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A process the task-worker starts finds the node's shennong-agent in its environment, and is told
 * when the node does not report; a request cannot point it elsewhere.
 */
class WorkerEnvironmentTest {
  @TempDir
  Path tmp;

  private List<String> environmentOfAWorker(String settings) throws Exception {
    Config config = ConfigFactory.parseString(settings).withFallback(ConfigFactory.load());
    try (ProcessSupervisor supervisor = ProcessSupervisor.builder(tmp.resolve("workers")).nodeEnvironment(
        TaskWorker.workerEnvironment(config, SecuritySettings.from(config), tmp.resolve("secrets"))).build()) {
      supervisor.start();
      WorkerSnapshot end = supervisor.launch(new LaunchRequest("w-1", "app-1", 1, "w",
          List.of("/bin/sh", "-c", "env > env.txt"), Map.of("FEITIAN_SHENNONG_AGENT", "10.9.9.9:1"), 0))
          .onEnded().get(30, TimeUnit.SECONDS);
      assertThat(end.state()).isEqualTo(WorkerState.EXITED);
      return Files.readAllLines(end.workDir().resolve("env.txt"));
    }
  }

  @Test
  void aWorkerReportsToTheNodesAgent() throws Exception {
    List<String> env = environmentOfAWorker("feitian.shennong.agent = \"127.0.0.1:7399\"");
    assertThat(env).contains("FEITIAN_SHENNONG_AGENT=127.0.0.1:7399")
        .noneMatch(line -> line.startsWith("FEITIAN_SHENNONG_REPORT="));
  }

  @Test
  void aWorkerOfANodeThatDoesNotReportIsToldSo() throws Exception {
    List<String> env = environmentOfAWorker("feitian.shennong { agent = \"127.0.0.1:7399\", report = false }");
    assertThat(env).contains("FEITIAN_SHENNONG_AGENT=127.0.0.1:7399", "FEITIAN_SHENNONG_REPORT=false");
  }
}
