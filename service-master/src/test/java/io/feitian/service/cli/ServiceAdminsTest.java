package io.feitian.service.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.util.JsonFormat;
import io.feitian.client.ClusterTarget;
import io.feitian.client.FeitianClient;
import io.feitian.proto.fuxi.v1.AppSpec;
import io.feitian.proto.fuxi.v1.AppState;
import io.feitian.proto.fuxi.v1.ListAppsResponse;
import io.feitian.proto.fuxi.v1.SubmitAppResponse;
import io.feitian.proto.service.v1.PartitionCommand;
import io.feitian.proto.service.v1.ScaleRequest;
import io.feitian.proto.service.v1.ServiceSpec;
import io.feitian.proto.service.v1.ServiceStatus;
import io.feitian.service.client.ServiceAdmins;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The service commands against a fake fuxi-master and a fake service-master on loopback. */
class ServiceAdminsTest {
  @TempDir
  Path dir;

  FakeServices fake;

  @BeforeEach
  void start() {
    fake = new FakeServices();
    fake.addApp("app-1", "job", "kv", AppState.APP_STATE_RUNNING); // a job of the same name is no service
    fake.addApp("app-2", "service", "kv", AppState.APP_STATE_RUNNING);
    fake.addApp("app-3", "service", "old", AppState.APP_STATE_KILLED);
  }

  @AfterEach
  void stop() {
    fake.close();
  }

  Cli.Run cli(String... args) {
    return Cli.against(fake.fuxiAddress, args);
  }

  @Test
  void statusShowsRolesWorkersAndPartitionsOrJson() throws Exception {
    Cli.Run r = cli("service", "status", "kv");
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).contains("service: kv (app-2)")
        .containsPattern("ROLE +WANTED +RUNNING\nstore +3 +2\n")
        .containsPattern("WORKER +ROLE +NODE +ENDPOINT +PARTITIONS +LOST\n")
        .containsPattern("w-1 +store +node-a +127.0.0.1:9001 +2\n")
        .containsPattern("w-2 +store +node-b +- +1 +yes\n")
        .containsPattern("PARTITION +RANGE +OWNER +EPOCH +STATE\n")
        .containsPattern("p0 +\\[-inf, 40000000\\) +w-1 +3 +SERVING\n")
        .containsPattern("p1 +\\[40000000, 80000000\\) +w-1 +4 +UNLOADING -> w-2\n")
        .containsPattern("p3 +\\[c0000000, \\+inf\\) +- +0 +UNASSIGNED\n");

    Cli.Run json = cli("service", "status", "kv", "--json");
    assertThat(json.code()).isZero();
    ServiceStatus.Builder parsed = ServiceStatus.newBuilder();
    JsonFormat.parser().merge(json.out(), parsed);
    assertThat(parsed.build()).isEqualTo(FakeServices.KV);
  }

  @Test
  void listShowsRunningServicesOnly() throws Exception {
    Cli.Run r = cli("service", "list");
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).containsPattern("NAME +APP +STATE +ENDPOINT\nkv +app-2 +RUNNING +" + fake.adminAddress + "\n")
        .doesNotContain("app-1").doesNotContain("old");
    ListAppsResponse.Builder parsed = ListAppsResponse.newBuilder();
    JsonFormat.parser().merge(cli("service", "list", "--json").out(), parsed);
    assertThat(parsed.getAppsList()).extracting(a -> a.getAppId()).containsExactly("app-2");
  }

  @Test
  void callsRideOutARestartingMaster() {
    fake.fuxi.restartingFor.set(2); // no endpoint for the first two looks
    fake.admin.unavailableFor.set(2); // then the old master refuses twice
    Cli.Run r = cli("service", "status", "kv");
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).contains("service: kv (app-2)");
    assertThat(fake.admin.calls.get()).isEqualTo(3);
  }

  @Test
  void aMasterThatNeverComesBackEndsTheWaitWithTheReason() {
    fake.fuxi.restartingFor.set(-1);
    try (FeitianClient client = new FeitianClient(new ClusterTarget.Masters(List.of(fake.fuxiAddress)),
        FeitianClient.Options.defaults())) {
      ServiceAdmins admins = new ServiceAdmins(client, Duration.ofMillis(300));
      assertThatThrownBy(() -> admins.status("kv")).isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
        assertThat(e.getStatus().getDescription()).contains("kv (app-2)").contains("no endpoint");
      });
      fake.fuxi.restartingFor.set(0);
      fake.admin.unavailableFor.set(Integer.MAX_VALUE);
      assertThatThrownBy(() -> admins.status("kv")).isInstanceOfSatisfying(StatusRuntimeException.class, e ->
          assertThat(e.getStatus().getDescription()).contains("did not answer").contains("shutting down"));
      assertThatThrownBy(() -> admins.status("nope")).isInstanceOf(IllegalArgumentException.class)
          .hasMessage("no running service named nope");
    }
    assertThat(fake.admin.calls.get()).isGreaterThan(1);
  }

  @Test
  void refusalsOfTheMasterAreShownNotRetried() {
    Cli.Run scale = cli("service", "scale", "kv", "cache", "2");
    assertThat(scale.code()).isEqualTo(1);
    assertThat(scale.err()).contains("INVALID_ARGUMENT: kv has no role 'cache'");
    Cli.Run migrate = cli("partition", "migrate", "kv", "p1", "--to", "w-2");
    assertThat(migrate.code()).isEqualTo(1);
    assertThat(migrate.err()).contains("FAILED_PRECONDITION: partition p1 is UNLOADING, not SERVING");
    assertThat(fake.admin.calls.get()).isEqualTo(2);

    Cli.Run unknown = cli("service", "status", "old");
    assertThat(unknown.code()).isEqualTo(2);
    assertThat(unknown.err()).contains("no running service named old");
  }

  @Test
  void scaleAndPartitionCommandsPrintWhatChanged() {
    Cli.Run scale = cli("service", "scale", "kv", "store", "5");
    assertThat(scale.code()).as(scale.err()).isZero();
    assertThat(scale.out()).isEqualTo("kv store: 5 wanted, 2 running\n");

    Cli.Run load = cli("partition", "load", "kv", "p3", "--worker", "w-2");
    assertThat(load.code()).as(load.err()).isZero();
    assertThat(load.out()).containsPattern("p3 +\\[c0000000, \\+inf\\) +w-2 +1 +LOADING\n").doesNotContain("p0");

    Cli.Run unload = cli("partition", "unload", "kv", "p0");
    assertThat(unload.code()).as(unload.err()).isZero();
    assertThat(unload.out()).containsPattern("p0 +\\[-inf, 40000000\\) +w-1 +3 +UNLOADING\n").doesNotContain("p3");

    Cli.Run split = cli("partition", "split", "kv", "p2", "--at", "a0000000");
    assertThat(split.code()).as(split.err()).isZero();
    assertThat(split.out()).containsPattern("p2a +\\[80000000, a0000000\\) +w-2 +3 +LOADING\n")
        .containsPattern("p2b +\\[a0000000, c0000000\\) +w-2 +3 +LOADING\n").doesNotContain("p1").doesNotContain("p3");

    assertThat(fake.admin.requests).containsExactly(
        ScaleRequest.newBuilder().setRole("store").setWorkers(5).build(),
        PartitionCommand.newBuilder().setPartition("p3").setWorker("w-2").build(),
        PartitionCommand.newBuilder().setPartition("p0").build(),
        PartitionCommand.newBuilder().setPartition("p2").setAt("a0000000").build());
  }

  @Test
  void createSubmitsAServiceApplicationOnceANameIsFree() throws Exception {
    Files.createDirectories(dir.resolve("lib"));
    Files.writeString(dir.resolve("lib/kv.jar"), "jar");
    String json = ServiceCommandTest.spec(ServiceCommandTest.javaRole("\"lib/kv.jar\""));
    Path taken = dir.resolve("kv.json");
    Files.writeString(taken, json);
    Cli.Run refused = cli("service", "create", taken.toString());
    assertThat(refused.code()).isEqualTo(2);
    assertThat(refused.err()).contains("a service named kv is already running (app-2)");
    assertThat(fake.fuxi.submitted).isEmpty();

    Path free = dir.resolve("kv2.json");
    Files.writeString(free, json.replace("\"name\": \"kv\"", "\"name\": \"kv2\""));
    Cli.Run created = cli("service", "create", free.toString());
    assertThat(created.code()).as(created.err()).isZero();
    String id = created.out().trim();
    assertThat(id).startsWith("app-");
    AppSpec app = fake.fuxi.submitted.get(0);
    assertThat(app.getKind()).isEqualTo("service");
    assertThat(app.getName()).isEqualTo("kv2");
    assertThat(app.getPriority()).isEqualTo(7);
    assertThat(app.getQuotaGroup()).isEqualTo("online");
    ServiceSpec spec = ServiceSpec.parseFrom(app.getDescription());
    assertThat(spec.getRoles(0).getJava().getJarsList())
        .containsExactly(dir.resolve("lib/kv.jar").toAbsolutePath().normalize().toString());
    assertThat(spec.getRoles(0).getJava().getJvmOptionsList()).containsExactly("-Dx=1");

    Cli.Run again = cli("service", "create", free.toString(), "--json");
    assertThat(again.code()).isEqualTo(2);
    assertThat(again.err()).contains("already running (" + id + ")");

    Path other = dir.resolve("kv3.json");
    Files.writeString(other, json.replace("\"name\": \"kv\"", "\"name\": \"kv3\""));
    SubmitAppResponse.Builder parsed = SubmitAppResponse.newBuilder();
    JsonFormat.parser().merge(cli("service", "create", other.toString(), "--json").out(), parsed);
    assertThat(parsed.getAppId()).startsWith("app-").isNotEqualTo(id);
  }

  @Test
  void deleteKillsTheApplication() {
    Cli.Run r = cli("service", "delete", "kv");
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).isEqualTo("kv (app-2) KILLED - killed by the user\n");
    assertThat(fake.fuxi.killed).containsExactly("app-2");
    Cli.Run again = cli("service", "delete", "kv");
    assertThat(again.code()).isEqualTo(2);
    assertThat(again.err()).contains("no running service named kv");
  }
}
