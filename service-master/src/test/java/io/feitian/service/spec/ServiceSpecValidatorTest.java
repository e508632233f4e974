package io.feitian.service.spec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.feitian.proto.common.v1.Resources;
import io.feitian.proto.service.v1.Boundaries;
import io.feitian.proto.service.v1.PartitionsSpec;
import io.feitian.proto.service.v1.ServiceSpec;
import io.feitian.service.partition.Partition;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class ServiceSpecValidatorTest {
  private final ServiceSpecValidator validator = new ServiceSpecValidator("spec.description.");

  static ServiceSpec.Builder kv() throws Exception {
    return ServiceSpecs.fromJson(Files.readString(Path.of("..", "examples", "services", "kv.json"))).toBuilder();
  }

  private void refused(ServiceSpec.Builder spec, String field, String problem) {
    assertThatThrownBy(() -> validator.validate(spec.build())).isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("spec.description." + field).hasMessageContaining(problem);
  }

  @Test
  void theExampleIsValidAndStartsWithItsPartitions() throws Exception {
    ServiceSpec spec = kv().build();
    validator.validate(spec);
    assertThat(ServiceSpecs.initialTable(spec).partitions()).hasSize(8);
    ServiceSpec ranged = kv().setPartitions(PartitionsSpec.newBuilder()
        .setBoundaries(Boundaries.newBuilder().addKeys("g").addKeys("n"))).build();
    validator.validate(ranged);
    assertThat(ServiceSpecs.initialTable(ranged).partitions()).extracting(Partition::range).extracting(Object::toString)
        .containsExactly("[-inf, g)", "[g, n)", "[n, +inf)");
  }

  @Test
  void badDescriptionsNameTheField() throws Exception {
    refused(kv().setName("k v"), "name", "must match");
    refused(kv().clearRoles(), "roles", "at least one role");
    refused(kv().setRoles(0, kv().getRoles(0).toBuilder().setWorkers(0)), "roles[0].workers", "between 1");
    refused(kv().setRoles(0, kv().getRoles(0).toBuilder().clearJava().clearArgv()), "roles[0]", "neither");
    refused(kv().setRoles(0, kv().getRoles(0).toBuilder().addArgv("kv")), "roles[0]", "not both");
    refused(kv().setRoles(0, kv().getRoles(0).toBuilder().clearJava().addArgv(" ")), "roles[0].argv", "must name a program");
    refused(kv().setRoles(0, kv().getRoles(0).toBuilder().setJava(kv().getRoles(0).getJava().toBuilder().clearJars())),
        "roles[0].java.jars", "must list the jars");
    refused(kv().setRoles(0, kv().getRoles(0).toBuilder().clearResources()), "roles[0].resources", "is required");
    // A java role's workers run in a worker JVM; an argv role's are plain processes, which may be smaller.
    Resources small = Resources.newBuilder().setCpuMillis(100).setMemoryMib(100).build();
    refused(kv().setRoles(0, kv().getRoles(0).toBuilder().setResources(small)), "roles[0].resources.memory_mib",
        "is 100 MiB, too little for the worker JVM a thread program runs in (at least 144 MiB");
    validator.validate(kv().setRoles(0, kv().getRoles(0).toBuilder().setResources(small).clearJava().addArgv("kv"))
        .build());
    refused(kv().addRoles(kv().getRoles(0)), "roles[1].name", "already the name of roles[0]");
    refused(kv().setPartitionedRole("cache"), "partitioned_role", "'cache' is not a role");
    refused(kv().setPartitions(PartitionsSpec.newBuilder().setCount(0)), "partitions.count", "between 1");
    refused(kv().setPartitions(PartitionsSpec.newBuilder().setBoundaries(Boundaries.newBuilder().addKeys("n")
        .addKeys("g"))), "partitions.boundaries.keys[1]", "must sort after 'n'");
    refused(kv().setPartitions(PartitionsSpec.newBuilder().setBoundaries(Boundaries.newBuilder().addKeys("k".repeat(200)))),
        "partitions.boundaries.keys[0]", "is 200 bytes; at most 128 are allowed");
    refused(kv().setPartitions(PartitionsSpec.getDefaultInstance()), "partitions", "a count or boundaries");
    refused(kv().clearPartitionedRole(), "partitions", "needs a partitioned_role");
  }

  @Test
  void jsonMistakesAreNamed() {
    assertThatThrownBy(() -> ServiceSpecs.fromJson("{\"name\": \"x\", \"rolez\": []}")).hasMessageContaining("rolez");
  }
}
