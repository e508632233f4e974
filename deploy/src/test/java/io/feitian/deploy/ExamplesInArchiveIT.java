package io.feitian.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.feitian.job.spec.JobSpecs;
import io.feitian.proto.job.v1.JobSpec;
import io.feitian.proto.job.v1.TaskSpec;
import io.feitian.service.client.ServiceAdmins;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The example descriptions in the archive name files the archive has, and
 * write where their submitter is, never into the installation.
 */
class ExamplesInArchiveIT {
  private static final Path SUBMITTER = Path.of("/home/someone");

  @Test
  void exampleJobsNameTheArchivesJarAndScriptsAndWriteWhereTheSubmitterIs() throws IOException {
    List<Path> files;
    try (Stream<Path> s = Files.list(Dist.HOME.resolve("examples/jobs"))) {
      files = s.filter(f -> f.toString().endsWith(".json")).sorted().toList();
    }
    assertThat(files).extracting(f -> f.getFileName().toString()).contains("wordcount.json", "sort.json", "share.json");
    for (Path file : files) {
      JobSpec spec = JobSpecs.resolvePaths(JobSpecs.fromJson(Files.readString(file)), file.getParent(), SUBMITTER);
      assertThat(spec.getOutputDir()).as(file.toString()).startsWith(SUBMITTER.toString());
      for (TaskSpec t : spec.getTasksList()) {
        for (String jar : t.getProgram().getThread().getJarsList()) {
          assertThat(Path.of(jar)).as(file + " task " + t.getName()).isRegularFile();
        }
        t.getProgram().getProcess().getArgvList().stream().filter(a -> a.startsWith("/"))
            .forEach(a -> assertThat(Path.of(a)).as(file + " task " + t.getName()).isRegularFile());
      }
    }
  }

  @Test
  void theExampleServiceAndApplicationAreShippedAndTheServicesJarIsThere() {
    assertThat(Dist.HOME.resolve("examples/sleeper.json")).isRegularFile();
    // read() refuses a description whose jar is missing.
    assertThat(ServiceAdmins.read(Dist.HOME.resolve("examples/services/kv.json")).getName()).isEqualTo("kv");
  }
}
