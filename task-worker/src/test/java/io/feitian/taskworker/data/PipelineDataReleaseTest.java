package io.feitian.taskworker.data;

import static io.feitian.taskworker.data.PipelineFixture.randomBytes;
import static io.feitian.taskworker.data.PipelineFixture.request;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.feitian.common.pipeline.AttemptId;
import io.feitian.proto.job.v1.ReleaseRequest;
import io.grpc.Status;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Release, and the sweep that deletes what no job-master released. */
class PipelineDataReleaseTest {
  static final Instant NOW = Instant.parse("2030-01-02T03:04:05Z");

  @TempDir
  Path workDir;

  PipelineFixture node;

  @BeforeEach
  void start() throws Exception {
    node = new PipelineFixture(workDir, Clock.fixed(NOW, ZoneOffset.UTC));
  }

  @AfterEach
  void stop() throws Exception {
    node.close();
  }

  @Test
  void releaseDeletesEverythingOfTheAppAndSaysHowMuch() throws Exception {
    node.commit(new AttemptId("app-9", "map", 0, 0), "reduce", 0, randomBytes(1000));
    node.commit(new AttemptId("app-9", "map", 1, 0), "reduce", 0, randomBytes(2000));
    node.commit(new AttemptId("app-10", "map", 0, 0), "reduce", 0, randomBytes(500));

    assertThat(release("app-9")).isEqualTo(3000);

    assertThat(node.layout.appDir("app-9")).doesNotExist();
    assertThatThrownBy(() -> node.blocking().fetch(request(new AttemptId("app-9", "map", 0, 0), "reduce", 0).build())
        .next()).satisfies(e -> assertThat(Status.fromThrowable(e).getCode()).isEqualTo(Status.Code.NOT_FOUND));
    assertThat(node.blocking().fetch(request(new AttemptId("app-10", "map", 0, 0), "reduce", 0).build()).next()
        .getTotalLength()).isEqualTo(500);
    assertThat(release("app-9")).isZero();
  }

  @Test
  void releaseRefusesAnythingButAnAppId() throws Exception {
    node.commit(new AttemptId("app-9", "map", 0, 0), "reduce", 0, randomBytes(10));

    assertThatThrownBy(() -> release("../pipeline")).satisfies(e -> {
      assertThat(Status.fromThrowable(e).getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
      assertThat(Status.fromThrowable(e).getDescription()).startsWith("app_id must match");
    });
    assertThat(node.layout.appDir("app-9")).exists();
  }

  @Test
  void theSweepDeletesOnlyAppsInWhichNothingChangedForTheRetention() throws Exception {
    node.commit(new AttemptId("app-1", "map", 0, 0), "reduce", 0, randomBytes(10));
    node.commit(new AttemptId("app-2", "map", 0, 0), "reduce", 0, randomBytes(10));
    node.commit(new AttemptId("app-3", "map", 0, 0), "reduce", 0, randomBytes(10));
    node.commit(new AttemptId("app-3", "map", 1, 0), "reduce", 0, randomBytes(10));
    Files.createDirectories(node.layout.root().resolve("lost+found"));
    Duration old = PipelineFixture.RETENTION.plusHours(1);
    age(node.layout.appDir("app-1"), old);
    age(node.layout.appDir("app-2"), Duration.ofHours(1));
    age(node.layout.appDir("app-3"), old);
    Files.setLastModifiedTime(node.layout.file(new AttemptId("app-3", "map", 1, 0), "reduce", 0),
        FileTime.from(NOW.minus(Duration.ofHours(1))));
    age(node.layout.root().resolve("lost+found"), old);

    assertThat(node.service.sweep()).containsExactly("app-1");

    assertThat(node.layout.appDir("app-1")).doesNotExist();
    assertThat(node.layout.appDir("app-2")).exists();
    assertThat(node.layout.appDir("app-3")).exists();
    assertThat(node.layout.root().resolve("lost+found")).exists();
  }

  long release(String appId) {
    return node.blocking().release(ReleaseRequest.newBuilder().setAppId(appId).build()).getBytesFreed();
  }

  /** Makes every file and directory of the tree look last modified that long before NOW. */
  static void age(Path dir, Duration age) throws IOException {
    FileTime then = FileTime.from(NOW.minus(age));
    try (Stream<Path> tree = Files.walk(dir)) {
      for (Path p : (Iterable<Path>) tree::iterator) {
        Files.setLastModifiedTime(p, then);
      }
    }
  }
}
