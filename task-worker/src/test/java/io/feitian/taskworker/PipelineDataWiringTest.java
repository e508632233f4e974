package io.feitian.taskworker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.feitian.common.security.Role;
import io.feitian.proto.job.v1.PipelineDataGrpc;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** How the daemon carries the pipeline data service: its setting and the role its calls need. */
class PipelineDataWiringTest {
  static Config config(String overrides) {
    return ConfigFactory.parseString("task-worker.node-id = n1\n" + overrides).withFallback(ConfigFactory.load());
  }

  @Test
  void retentionDefaultsToADayAndMustBePositive() {
    assertThat(TaskWorkerSettings.from(config("")).pipelineRetention()).isEqualTo(Duration.ofHours(24));
    assertThat(TaskWorkerSettings.from(config("task-worker.pipeline.retention = 2h")).pipelineRetention())
        .isEqualTo(Duration.ofHours(2));
    assertThatThrownBy(() -> TaskWorkerSettings.from(config("task-worker.pipeline.retention = 0s")))
        .hasMessage("task-worker.pipeline.retention must be positive, got PT0S");
  }

  @Test
  void fetchAndReleaseNeedTheAdminRoleOfDaemonsAndTheProcessesTheyStart() {
    assertThat(TaskWorker.methodPolicy().requiredRole(PipelineDataGrpc.getFetchMethod().getFullMethodName()))
        .isEqualTo(Role.ADMIN);
    assertThat(TaskWorker.methodPolicy().requiredRole(PipelineDataGrpc.getReleaseMethod().getFullMethodName()))
        .isEqualTo(Role.ADMIN);
  }
}
