package io.feitian.service.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.feitian.proto.service.v1.JavaWorker;
import io.feitian.proto.service.v1.RoleSpec;
import io.feitian.proto.service.v1.ServiceSpec;
import io.feitian.service.client.ServiceAdmins;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What `feitian service` and `feitian partition` check before calling anything (no cluster: port 1 never answers). */
class ServiceCommandTest {
  /** Nothing listens there; a command that reaches the cluster fails with UNAVAILABLE, exit 1. */
  static final String NOWHERE = "127.0.0.1:1";

  @TempDir
  Path dir;

  static String spec(String role) {
    return """
        {"name": "kv", "priority": 7, "quota_group": "online",
         "roles": [%s],
         "partitioned_role": "store", "partitions": {"count": 4}}
        """.formatted(role);
  }

  static String javaRole(String jars) {
    return """
        {"name": "store", "workers": 2, "resources": {"cpu_millis": 500, "memory_mib": 256},
         "java": {"worker_class": "com.example.KvWorker", "jars": [%s], "jvm_options": ["-Dx=1"]}}
        """.formatted(jars);
  }

  static String argvRole(int workers) {
    return """
        {"name": "store", "workers": %d, "resources": {"cpu_millis": 500, "memory_mib": 256}, "argv": ["./kv-worker"]}
        """.formatted(workers);
  }

  private Path write(String name, String json) throws Exception {
    Path f = dir.resolve(name);
    Files.createDirectories(f.getParent());
    Files.writeString(f, json);
    return f;
  }

  @Test
  void relativeJarsAreResolvedAgainstTheDescriptionsDirectory() {
    Path base = Path.of("/srv/services/kv");
    ServiceSpec spec = ServiceSpec.newBuilder().setName("kv")
        .addRoles(RoleSpec.newBuilder().setName("store").setJava(JavaWorker.newBuilder().setWorkerClass("a.B")
            .addJars("lib/kv.jar").addJars("../shared/./common.jar").addJars("/opt/feitian/extra.jar")))
        .addRoles(RoleSpec.newBuilder().setName("web").addArgv("./web").addArgv("lib/kv.jar"))
        .build();
    ServiceSpec resolved = ServiceAdmins.resolveJars(spec, base);
    assertThat(resolved.getRoles(0).getJava().getJarsList()).containsExactly(
        Path.of("/srv/services/kv/lib/kv.jar").toString(), Path.of("/srv/services/shared/common.jar").toString(),
        Path.of("/opt/feitian/extra.jar").toString());
    assertThat(resolved.getRoles(0).getJava().getWorkerClass()).isEqualTo("a.B");
    assertThat(resolved.getRoles(1)).isEqualTo(spec.getRoles(1)); // only java.jars are paths of this machine
  }

  @Test
  void aDescriptionIsReadWithItsJarsMadeAbsolute() throws Exception {
    Files.createDirectories(dir.resolve("svc/lib"));
    Files.writeString(dir.resolve("svc/lib/kv.jar"), "jar");
    Path file = write("svc/kv.json", spec(javaRole("\"lib/kv.jar\"")));
    ServiceSpec spec = ServiceAdmins.read(file);
    assertThat(spec.getName()).isEqualTo("kv");
    assertThat(spec.getRoles(0).getJava().getJarsList())
        .containsExactly(dir.resolve("svc/lib/kv.jar").toAbsolutePath().normalize().toString());
  }

  @Test
  void aMissingJarIsNamedByItsFieldAndItsPath() throws Exception {
    Files.createDirectories(dir.resolve("svc/lib"));
    Files.writeString(dir.resolve("svc/lib/kv.jar"), "jar");
    Path file = write("svc/kv.json", spec(javaRole("\"lib/kv.jar\", \"lib/missing.jar\"")));
    Cli.Run r = Cli.against(NOWHERE, "service", "create", file.toString());
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("roles[0].java.jars[1]")
        .contains(dir.resolve("svc/lib/missing.jar").toAbsolutePath().normalize().toString()).contains("does not exist")
        .doesNotContain("UNAVAILABLE");
    assertThat(r.out()).isEmpty();

    Files.createDirectories(dir.resolve("svc/lib/dir.jar"));
    Path dirJar = write("svc/dir.json", spec(javaRole("\"lib/dir.jar\"")));
    Cli.Run d = Cli.against(NOWHERE, "service", "create", dirJar.toString());
    assertThat(d.code()).isEqualTo(2);
    assertThat(d.err()).contains("roles[0].java.jars[0]").contains("is not a readable file");
  }

  @Test
  void anInvalidDescriptionIsRefusedLocallyNamingTheField() throws Exception {
    Cli.Run r = Cli.against(NOWHERE, "service", "create", write("kv.json", spec(argvRole(0))).toString());
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).startsWith("feitian: ").contains("kv.json: roles[0].workers must be between 1")
        .doesNotContain("UNAVAILABLE");

    Cli.Run noProgram = Cli.against(NOWHERE, "service", "create", write("np.json", spec("""
        {"name": "store", "workers": 1, "resources": {"cpu_millis": 500, "memory_mib": 256}}
        """)).toString());
    assertThat(noProgram.code()).isEqualTo(2);
    assertThat(noProgram.err()).contains("roles[0]").contains("argv or java");
  }

  @Test
  void jsonMistakesAndUnreadableFilesAreNamed() throws Exception {
    Cli.Run typo = Cli.against(NOWHERE, "service", "create",
        write("typo.json", "{\"name\": \"kv\", \"rolez\": []}").toString());
    assertThat(typo.code()).isEqualTo(2);
    assertThat(typo.err()).contains("typo.json").contains("rolez");

    Cli.Run missing = Cli.against(NOWHERE, "service", "create", dir.resolve("nope.json").toString());
    assertThat(missing.code()).isEqualTo(2);
    assertThat(missing.err()).contains("nope.json").contains("no such file");
  }

  @Test
  void theCommandsAreRegisteredAndCheckTheirArguments() {
    Cli.Run help = Cli.run("help", "service");
    assertThat(help.code()).isZero();
    assertThat(help.out()).contains("create").contains("list").contains("status").contains("scale").contains("delete");
    Cli.Run partitionHelp = Cli.run("help", "partition");
    assertThat(partitionHelp.code()).isZero();
    assertThat(partitionHelp.out()).contains("load").contains("unload").contains("split").contains("migrate");

    Cli.Run bare = Cli.run("partition");
    assertThat(bare.code()).isEqualTo(2);
    assertThat(bare.err()).contains("Missing required subcommand").contains("migrate");

    Cli.Run noKey = Cli.against(NOWHERE, "partition", "split", "kv", "p1");
    assertThat(noKey.code()).isEqualTo(2);
    assertThat(noKey.err()).contains("--at");
    Cli.Run noTarget = Cli.against(NOWHERE, "partition", "migrate", "kv", "p1");
    assertThat(noTarget.code()).isEqualTo(2);
    assertThat(noTarget.err()).contains("--to");
    Cli.Run badCount = Cli.against(NOWHERE, "service", "scale", "kv", "store", "many");
    assertThat(badCount.code()).isEqualTo(2);
    assertThat(badCount.err()).contains("many");
    Cli.Run emptyKey = Cli.against(NOWHERE, "partition", "split", "kv", "p1", "--at", "");
    assertThat(emptyKey.code()).isEqualTo(2);
    assertThat(emptyKey.err()).contains("--at must not be empty");
  }
}
