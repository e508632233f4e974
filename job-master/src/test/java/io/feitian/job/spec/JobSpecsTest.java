package io.feitian.job.spec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.feitian.proto.job.v1.JobSpec;
import org.junit.jupiter.api.Test;

class JobSpecsTest {
  @Test
  void jsonRoundTripsWithSnakeCaseNames() {
    JobSpec spec = Specs.wordCount().build();
    String json = JobSpecs.toJson(spec);
    assertThat(json).contains("\"output_dir\"").contains("\"processor_class\"").contains("MOVEMENT_SCATTER_GATHER");
    assertThat(JobSpecs.fromJson(json)).isEqualTo(spec);
  }

  @Test
  void unknownFieldsAndWrongTypesAreNamed() {
    assertThatThrownBy(() -> JobSpecs.fromJson("{\"name\": \"x\", \"taks\": []}"))
        .hasMessageContaining("taks");
    assertThatThrownBy(() -> JobSpecs.fromJson("{\"tasks\": [{\"instances\": \"many\"}]}"))
        .hasMessageContaining("many");
    assertThatThrownBy(() -> JobSpecs.fromJson("{\"name\": "))
        .hasMessageStartingWith("the job description is not valid");
  }

  @Test
  void theKindChecksWhatFuxiMasterStores() {
    JobKind kind = new JobKind();
    assertThatThrownBy(() -> kind.check("spec.description", ByteString.copyFromUtf8("{not proto")))
        .hasMessageStartingWith("spec.description is not a serialized feitian.job.v1.JobSpec");
    assertThatThrownBy(() -> kind.check("spec.description", Specs.wordCount().setName("").build().toByteString()))
        .hasMessageStartingWith("spec.description.name");
    var checked = kind.check("spec.description", Specs.wordCount().setName("wc").build().toByteString());
    assertThat(checked.applicationName()).contains("wc");
    assertThat(checked.shapes())
        .containsOnlyKeys("spec.description.tasks[0].resources", "spec.description.tasks[1].resources");
  }
}
