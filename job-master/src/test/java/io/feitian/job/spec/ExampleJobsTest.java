package io.feitian.job.spec;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import io.feitian.common.app.ThreadProgramMemory;
import io.feitian.proto.job.v1.JobSpec;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The example job descriptions match the JSON Schema, parse, and pass validation; the schema is not vacuous. */
class ExampleJobsTest {
  private static final Path EXAMPLES = Path.of("..", "examples", "jobs");
  private static final ObjectMapper JSON = new ObjectMapper();

  private static JsonSchema schema() throws IOException {
    try (InputStream in = ExampleJobsTest.class.getResourceAsStream("/job-spec.schema.json")) {
      return JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012).getSchema(in);
    }
  }

  private static List<Path> examples() throws IOException {
    try (Stream<Path> files = Files.list(EXAMPLES)) {
      return files.filter(f -> f.toString().endsWith(".json")).sorted().toList();
    }
  }

  @Test
  void everyExampleMatchesTheSchemaAndValidates() throws IOException {
    JsonSchema schema = schema();
    List<Path> files = examples();
    assertThat(files).extracting(f -> f.getFileName().toString())
        .contains("wordcount.json", "sort.json", "share.json");
    for (Path file : files) {
      String text = Files.readString(file);
      assertThat(schema.validate(JSON.readTree(text))).as(file.toString()).isEmpty();
      JobSpec spec = JobSpecs.resolvePaths(JobSpecs.fromJson(text), file.getParent(), Path.of("/home/alice"));
      assertThat(spec.getOutputDir()).startsWith("/home/alice/.feitian/output/");
      spec.getTasksList().stream().filter(t -> t.getProgram().hasThread()).forEach(t -> assertThat(
          t.getProgram().getThread().getJarsList()).as("the jar where the build and the archive both put it")
          .containsExactly(file.toAbsolutePath().getParent().resolveSibling("lib").resolve("feitian-examples.jar")
              .normalize().toString()));
      new JobSpecValidator("").validate(spec);
    }
  }

  @Test
  void theSchemaRefusesWhatTheValidatorRefuses() throws IOException {
    JsonSchema schema = schema();
    JsonNode noTasks = JSON.readTree("{\"name\": \"x\", \"output_dir\": \"/o\", \"tasks\": []}");
    JsonNode typo = JSON.readTree("{\"name\": \"x\", \"output_dir\": \"/o\", \"taks\": []}");
    JsonNode partitionsOnBroadcast = JSON.readTree("{\"name\": \"x\", \"output_dir\": \"/o\", \"tasks\": ["
        + "{\"name\": \"a\", \"instances\": 1, \"resources\": {\"cpu_millis\": 1, \"memory_mib\": 256},"
        + " \"program\": {\"process\": {\"argv\": [\"cat\"]}}}],"
        + " \"pipelines\": [{\"from\": \"a\", \"to\": \"a\", \"movement\": \"MOVEMENT_BROADCAST\", \"partitions\": 2}]}");
    // The schema's minimum memory is the worker JVM's, the validator's (ThreadProgramMemory).
    JsonNode tooLittleMemory = oneTask(ThreadProgramMemory.MIN_GRANT_MIB - 1);
    assertThat(schema.validate(oneTask(ThreadProgramMemory.MIN_GRANT_MIB))).isEmpty();
    for (JsonNode bad : List.of(noTasks, typo, partitionsOnBroadcast, tooLittleMemory)) {
      Set<ValidationMessage> errors = schema.validate(bad);
      assertThat(errors).as(bad.toString()).isNotEmpty();
    }
  }

  private static JsonNode oneTask(long memoryMib) throws IOException {
    return JSON.readTree("{\"name\": \"x\", \"output_dir\": \"/o\", \"tasks\": [{\"name\": \"a\", \"instances\": 1,"
        + " \"resources\": {\"cpu_millis\": 1, \"memory_mib\": " + memoryMib + "},"
        + " \"program\": {\"process\": {\"argv\": [\"cat\"]}}}]}");
  }

  @Test
  void relativePathsAreTakenFromTheDescriptionsDirectoryAndTheOutputFromTheSubmitters() {
    JobSpec spec = JobSpecs.resolvePaths(Specs.wordCount().setOutputDir("out")
        .setTasks(1, Specs.task("reduce").setProgram(Specs.process("python3", "./r.py", "-v"))).build(),
        Path.of("/jobs/wc"), Path.of("/home/alice"));
    assertThat(spec.getOutputDir()).isEqualTo("/home/alice/out");
    assertThat(spec.getTasks(0).getInput().getPaths(0)).isEqualTo("/data/text");
    assertThat(spec.getTasks(1).getProgram().getProcess().getArgvList()).containsExactly("python3", "/jobs/wc/r.py", "-v");
  }
}
