package io.feitian.job.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.feitian.common.pipeline.AttemptId;
import io.feitian.common.pipeline.PendingAttempt;
import io.feitian.common.pipeline.PipelineLayout;
import io.feitian.job.api.Record;
import io.feitian.proto.job.v1.OutputFile;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PartitionedOutputTest {
  static final AttemptId ATTEMPT = new AttemptId("app-3", "map", 2, 1);

  @TempDir
  Path workDir;

  PipelineLayout layout() {
    return PipelineLayout.inWorkDir(workDir);
  }

  List<DownstreamPipeline> pipelines() {
    return List.of(new DownstreamPipeline("reduce", Partitioners.hash(4)),
        new DownstreamPipeline("sample", Partitioners.single()),
        new DownstreamPipeline("sorted", Partitioners.range(List.of("key-3", "x"))));
  }

  @Test
  void everyRecordReachesItsPartitionOfEveryPipeline() throws IOException {
    List<OutputFile> files;
    try (PartitionedOutput out = new PartitionedOutput(layout().begin(ATTEMPT), pipelines())) {
      for (int i = 0; i < 1000; i++) {
        out.write("key-" + i, "value-" + i);
      }
      files = out.commit();
      assertThat(out.records()).isEqualTo(1000);
    }

    assertThat(files).extracting(f -> f.getToTask() + "/" + f.getPartition()).containsExactly(
        "reduce/0", "reduce/1", "reduce/2", "reduce/3", "sample/0", "sorted/0", "sorted/1", "sorted/2");
    for (DownstreamPipeline pipeline : pipelines()) {
      int total = 0;
      for (int p = 0; p < pipeline.partitioner().partitions(); p++) {
        List<Record> records = read(layout().file(ATTEMPT, pipeline.toTask(), p));
        for (Record r : records) {
          assertThat(pipeline.partitioner().partition(r.key())).isEqualTo(p);
          assertThat(r.value()).isEqualTo("value-" + r.key().substring(4));
        }
        total += records.size();
      }
      assertThat(total).as(pipeline.toTask()).isEqualTo(1000);
    }
  }

  @Test
  void eachFileIsDescribedByItsLengthAndCrc32cAndEmptyPartitionsStillHaveAFile() throws IOException {
    List<OutputFile> files;
    try (PartitionedOutput out = new PartitionedOutput(layout().begin(ATTEMPT), pipelines())) {
      out.write("a", "only record");
      files = out.commit();
    }

    for (OutputFile f : files) {
      byte[] bytes = Files.readAllBytes(layout().file(ATTEMPT, f.getToTask(), f.getPartition()));
      CRC32C crc = new CRC32C();
      crc.update(bytes);
      assertThat(f.getLength()).isEqualTo(bytes.length);
      assertThat(f.getCrc32C()).isEqualTo((int) crc.getValue());
    }
    assertThat(files).filteredOn(f -> f.getLength() == 0).hasSize(8 - 3)
        .allSatisfy(f -> assertThat(f.getCrc32C()).isZero());
  }

  @Test
  void closingWithoutCommitLeavesNothingBehind() throws IOException {
    PendingAttempt attempt = layout().begin(ATTEMPT);
    try (PartitionedOutput out = new PartitionedOutput(attempt, pipelines())) {
      out.write("k", "v");
    }

    assertThat(attempt.dir()).doesNotExist();
    assertThat(layout().attemptDir(ATTEMPT)).doesNotExist();
  }

  @Test
  void anAttemptCommittedBeforeIsNotOverwritten() throws IOException {
    try (PartitionedOutput first = new PartitionedOutput(layout().begin(ATTEMPT), pipelines())) {
      first.write("first", "");
      first.commit();
    }
    PendingAttempt again = layout().begin(ATTEMPT);
    try (PartitionedOutput second = new PartitionedOutput(again, pipelines())) {
      second.write("second", "");
      assertThatThrownBy(second::commit).isInstanceOf(FileAlreadyExistsException.class);
    }

    assertThat(again.dir()).doesNotExist();
    assertThat(read(layout().file(ATTEMPT, "sample", 0))).containsExactly(new Record("first", ""));
  }

  @Test
  void pipelinesMustBeNamedOnceAndAtLeastOnce() throws IOException {
    PendingAttempt twice = layout().begin(ATTEMPT);
    assertThatThrownBy(() -> new PartitionedOutput(twice, List.of(
        new DownstreamPipeline("reduce", Partitioners.hash(2)), new DownstreamPipeline("reduce", Partitioners.single()))))
        .hasMessage("pipelines name the downstream task reduce twice");
    assertThat(twice.dir()).doesNotExist();

    assertThatThrownBy(() -> new PartitionedOutput(layout().begin(ATTEMPT), List.of()))
        .hasMessageStartingWith("pipelines must name at least one downstream task");
    assertThatThrownBy(() -> new DownstreamPipeline("../x", Partitioners.single()))
        .hasMessageStartingWith("to_task must match");
  }

  static List<Record> read(Path file) throws IOException {
    return RecordFormatTest.readAll(Files.newInputStream(file));
  }
}
