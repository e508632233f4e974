package io.feitian.common.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PipelineLayoutTest {
  @TempDir
  Path workDir;

  PipelineLayout layout() {
    return PipelineLayout.inWorkDir(workDir);
  }

  @Test
  void committedFilesLiveUnderAppTaskAndAttempt() {
    Path file = layout().file(new AttemptId("app-12", "map", 3, 1), "reduce", 7);
    assertThat(file).isEqualTo(workDir.resolve("pipeline/app-12/map/3-1/reduce/part-00007"));
  }

  @Test
  void partNamesHaveAtLeastFiveDigitsSoTheySortByPartition() {
    assertThat(PipelineLayout.partName(0)).isEqualTo("part-00000");
    assertThat(PipelineLayout.partName(99999)).isEqualTo("part-99999");
    assertThat(PipelineLayout.partName(123456)).isEqualTo("part-123456");
  }

  @ParameterizedTest
  @ValueSource(strings = {"..", ".", "", "a/b", "../app-1", "a\\b", "a b", "x\0y"})
  void taskNamesThatCouldEscapeTheRootAreRefused(String task) {
    assertThatThrownBy(() -> new AttemptId("app-1", task, 0, 0))
        .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("task must match");
    assertThatThrownBy(() -> layout().file(new AttemptId("app-1", "map", 0, 0), task, 0))
        .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("to_task must match");
  }

  @Test
  void namesOfUpTo64CharactersAreAccepted() {
    assertThat(new AttemptId("app-1", "t".repeat(64), 0, 0).task()).hasSize(64);
    assertThatThrownBy(() -> new AttemptId("app-1", "t".repeat(65), 0, 0)).hasMessageStartingWith("task must match");
  }

  @ParameterizedTest
  @ValueSource(strings = {"..", "app-", "app-1/..", "app-1/../../etc", "APP-1", "app-1a", "job-1"})
  void appIdsOtherThanAppNumberAreRefused(String appId) {
    assertThatThrownBy(() -> layout().appDir(appId))
        .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("app_id must match");
  }

  @Test
  void negativeNumbersAreRefusedNamingTheField() {
    assertThatThrownBy(() -> new AttemptId("app-1", "map", -1, 0)).hasMessage("instance must be >= 0, got -1");
    assertThatThrownBy(() -> new AttemptId("app-1", "map", 0, -2)).hasMessage("attempt must be >= 0, got -2");
    assertThatThrownBy(() -> PipelineLayout.partName(-3)).hasMessage("partition must be >= 0, got -3");
  }

  @Test
  void anAttemptIsInvisibleUntilCommittedAndCompleteAfter() throws Exception {
    AttemptId attempt = new AttemptId("app-1", "map", 0, 0);
    try (PendingAttempt pending = layout().begin(attempt)) {
      Files.writeString(pending.file("reduce", 0), "hello");
      assertThat(pending.dir().getFileName().toString()).startsWith(".0-0.tmp-");
      assertThat(pending.dir().getParent()).isEqualTo(layout().attemptDir(attempt).getParent());
      assertThat(layout().attemptDir(attempt)).doesNotExist();
      assertThat(layout().file(attempt, "reduce", 0)).doesNotExist();

      assertThat(pending.commit()).isEqualTo(layout().attemptDir(attempt));
      assertThat(layout().file(attempt, "reduce", 0)).hasContent("hello");
      assertThat(pending.dir()).doesNotExist();
    }
    assertThat(layout().file(attempt, "reduce", 0)).hasContent("hello");
  }

  @Test
  void aReaderNeverFindsACommittedAttemptWithFilesMissing() throws Exception {
    int files = 5;
    int attempts = 200;
    AtomicBoolean writing = new AtomicBoolean(true);
    List<String> incomplete = new ArrayList<>();
    CompletableFuture<Void> reader = CompletableFuture.runAsync(() -> {
      while (writing.get()) {
        for (int a = 0; a < attempts; a++) {
          AttemptId attempt = new AttemptId("app-1", "map", 0, a);
          if (Files.exists(layout().attemptDir(attempt)) && !allWritten(attempt, files)) {
            incomplete.add(attempt.toString());
          }
        }
      }
    });
    for (int a = 0; a < attempts; a++) {
      try (PendingAttempt pending = layout().begin(new AttemptId("app-1", "map", 0, a))) {
        for (int p = 0; p < files; p++) {
          Files.writeString(pending.file("reduce", p), "partition " + p);
        }
        pending.commit();
      }
    }
    writing.set(false);
    reader.get();
    assertThat(incomplete).isEmpty();
  }

  private boolean allWritten(AttemptId attempt, int files) {
    try {
      for (int p = 0; p < files; p++) {
        if (!Files.readString(layout().file(attempt, "reduce", p)).equals("partition " + p)) {
          return false;
        }
      }
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  @Test
  void aCommittedAttemptIsNeverReplaced() throws Exception {
    AttemptId attempt = new AttemptId("app-1", "map", 4, 2);
    PendingAttempt first = layout().begin(attempt);
    PendingAttempt second = layout().begin(attempt);
    Files.writeString(first.file("reduce", 0), "first");
    Files.writeString(second.file("reduce", 0), "second");
    first.commit();

    assertThatThrownBy(second::commit).isInstanceOf(FileAlreadyExistsException.class)
        .hasMessageContaining("app-1/map/4-2 is already committed");
    assertThatThrownBy(first::commit).isInstanceOf(IllegalStateException.class).hasMessageContaining("committed");
    second.close();

    assertThat(second.dir()).doesNotExist();
    assertThat(layout().file(attempt, "reduce", 0)).hasContent("first");
  }

  @Test
  void closingWithoutCommitDeletesWhatWasWritten() throws Exception {
    PendingAttempt pending = layout().begin(new AttemptId("app-1", "map", 0, 0));
    Files.writeString(pending.file("reduce", 3), "partial");
    pending.close();

    assertThat(pending.dir()).doesNotExist();
    assertThatThrownBy(pending::commit).isInstanceOf(IllegalStateException.class).hasMessageContaining("abandoned");
  }

  @Test
  void deletingAnAppReportsTheBytesItsFilesHeld() throws Exception {
    for (int instance = 0; instance < 3; instance++) {
      try (PendingAttempt pending = layout().begin(new AttemptId("app-7", "map", instance, 0))) {
        Files.write(pending.file("reduce", 0), new byte[1000]);
        Files.write(pending.file("join", 1), new byte[24]);
        pending.commit();
      }
    }

    assertThat(layout().deleteApp("app-7")).isEqualTo(3 * 1024);
    assertThat(layout().appDir("app-7")).doesNotExist();
    assertThat(layout().deleteApp("app-7")).isZero();
  }
}
