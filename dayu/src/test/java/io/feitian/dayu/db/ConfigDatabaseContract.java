package io.feitian.dayu.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * What the configuration database does, run against each database it
 * supports (H2 and PostgreSQL) by a subclass that says where a fresh, empty
 * database is.
 */
abstract class ConfigDatabaseContract {
  private static final Instant START = Instant.parse("2030-01-02T03:04:05.678Z");
  private static final List<String> TABLES = List.of("clusters", "nodes", "node_roles", "modules", "module_versions",
      "cluster_modules", "param_revisions", "param_changes", "rollouts", "rollout_batches", "batch_nodes",
      "node_steps");

  final TestClock clock = new TestClock(START);
  DatabaseSettings settings;
  ConfigDatabase db;

  /** Where a new, empty database is, for one test. */
  abstract DatabaseSettings freshDatabase();

  @BeforeEach
  void open() {
    settings = freshDatabase();
    db = ConfigDatabase.open(settings, clock);
  }

  @AfterEach
  void close() {
    db.close();
  }

  // ---- clusters, nodes, roles

  @Test
  void clustersHoldNodesWithRacksRolesAndCheckIns() {
    Cluster prod = db.clusters().addCluster("prod", "the production cluster");
    db.clusters().addCluster("dev", "");
    assertThat(prod).isEqualTo(new Cluster("prod", "the production cluster", START, 0));
    assertThat(db.clusters().clusters()).extracting(Cluster::name).containsExactly("dev", "prod");

    Node added = db.clusters().addNode("prod", "n1.example", "rack-a", Set.of("worker", "master"));
    db.clusters().addNode("prod", "n2.example", "rack-b", Set.of("worker"));
    db.clusters().addNode("dev", "n1.example", "rack-a", Set.of());
    assertThat(added.state()).isEqualTo(Node.State.NEW);
    assertThat(added.roles()).containsExactly("master", "worker");
    assertThat(added.registeredAt()).isEmpty();
    assertThat(db.clusters().nodes("prod")).extracting(Node::host).containsExactly("n1.example", "n2.example");
    assertThat(db.clusters().roles("prod")).containsExactly(
        new Role("prod", "master", List.of("n1.example")),
        new Role("prod", "worker", List.of("n1.example", "n2.example")));

    clock.advance(Duration.ofSeconds(5));
    Node first = db.clusters().checkIn("prod", "n1.example");
    clock.advance(Duration.ofSeconds(5));
    Node again = db.clusters().checkIn("prod", "n1.example");
    assertThat(first.state()).isEqualTo(Node.State.ONLINE);
    assertThat(again.registeredAt()).contains(START.plusSeconds(5));
    assertThat(again.lastSeenAt()).contains(START.plusSeconds(10));

    db.clusters().setState("prod", "n1.example", Node.State.DRAINING);
    assertThat(db.clusters().checkIn("prod", "n1.example").state()).isEqualTo(Node.State.DRAINING);

    assertThat(db.clusters().setRoles("prod", "n2.example", Set.of("master")).roles()).containsExactly("master");
    db.clusters().removeNode("prod", "n1.example");
    assertThat(db.clusters().node("prod", "n1.example")).isEmpty();
    assertThat(db.clusters().roles("prod")).containsExactly(new Role("prod", "master", List.of("n2.example")));
    assertThat(db.clusters().nodes("dev")).extracting(Node::host).containsExactly("n1.example");
  }

  @Test
  void duplicateAndUnknownNamesAreRefusedNamingTheField() {
    db.clusters().addCluster("prod", "");
    db.clusters().addNode("prod", "n1", "r1", Set.of("worker"));
    refusedUnchanged("cluster", () -> db.clusters().addCluster("prod", "again"));
    refusedUnchanged("host", () -> db.clusters().addNode("prod", "n1", "r2", Set.of()));
    refusedUnchanged("cluster", () -> db.clusters().addNode("nope", "n9", "r1", Set.of()));
    refusedUnchanged("host", () -> db.clusters().addNode("prod", "bad host!", "r1", Set.of()));
    refusedUnchanged("roles", () -> db.clusters().addNode("prod", "n2", "r1", Set.of("Not A Role")));
    refusedUnchanged("host", () -> db.clusters().setRoles("prod", "n9", Set.of("worker")));
    refusedUnchanged("cluster", () -> db.clusters().addCluster("a/b", ""));
    // The server tells NOT_FOUND and ALREADY_EXISTS from INVALID_ARGUMENT by these types.
    assertThatThrownBy(() -> db.clusters().addCluster("prod", "")).isInstanceOf(AlreadyExistsException.class);
    assertThatThrownBy(() -> db.clusters().addNode("prod", "n1", "r1", Set.of()))
        .isInstanceOf(AlreadyExistsException.class);
    assertThatThrownBy(() -> db.clusters().nodes("nope")).isInstanceOf(NotFoundException.class);
    assertThatThrownBy(() -> db.clusters().removeNode("prod", "n9")).isInstanceOf(NotFoundException.class);
    assertThatThrownBy(() -> db.params().history("prod", "ghost")).isInstanceOf(NotFoundException.class);
    assertThatThrownBy(() -> db.clusters().addCluster("a/b", "")).isNotInstanceOf(NotFoundException.class);
  }

  // ---- modules and versions

  @Test
  void publishingIsIdempotentAndAPublishedVersionNeverChanges() {
    ModuleVersion v1 = db.modules().publish("task-worker", "1.0.0", sha('a'), 1234, "name: task-worker", "ops");
    clock.advance(Duration.ofMinutes(1));
    db.modules().publish("task-worker", "1.1.0", sha('b'), 2345, "name: task-worker\nversion: 1.1.0", "ops");
    assertThat(v1).isEqualTo(new ModuleVersion("task-worker", "1.0.0", sha('a'), 1234, "name: task-worker",
        START, "ops"));

    assertThat(db.modules().publish("task-worker", "1.0.0", sha('a'), 1234, "name: task-worker", "someone else"))
        .isEqualTo(v1);
    refusedUnchanged("sha256", () -> db.modules().publish("task-worker", "1.0.0", sha('c'), 1234, "x", "ops"));
    refusedUnchanged("sha256", () -> db.modules().publish("task-worker", "2.0.0", "ABC", 1, "x", "ops"));
    refusedUnchanged("sha256", () -> db.modules().publish("task-worker", "2.0.0", sha('A'), 1, "x", "ops"));
    refusedUnchanged("module", () -> db.modules().publish("Task Worker", "2.0.0", sha('a'), 1, "x", "ops"));
    refusedUnchanged("descriptor", () -> db.modules().publish("task-worker", "2.0.0", sha('a'), 1, "", "ops"));

    assertThat(db.modules().modules()).containsExactly("task-worker");
    assertThat(db.modules().versions("task-worker")).extracting(ModuleVersion::version)
        .containsExactly("1.1.0", "1.0.0");
    assertThat(db.modules().version("task-worker", "1.1.0").orElseThrow().descriptor())
        .isEqualTo("name: task-worker\nversion: 1.1.0");
    assertThat(db.modules().version("task-worker", "9.9")).isEmpty();
  }

  // ---- parameters

  @Test
  void everyParamChangeIsANewRevisionWithWhoWhenAndWhy() {
    givenClusterWithModule();
    ParamRevision r1 = db.params().set("prod", "alice", "initial", List.of(
        ParamChange.set("task-worker", ParamScope.MODULE, "", "heap", "1g"),
        ParamChange.set("task-worker", ParamScope.MODULE, "", "threads", "8")));
    clock.advance(Duration.ofMinutes(1));
    db.params().set("prod", "bob", "bigger heap for the large role", List.of(
        ParamChange.set("task-worker", ParamScope.ROLE, "large", "heap", "4g"),
        ParamChange.set("task-worker", ParamScope.MODULE, "", "heap", "2g")));
    clock.advance(Duration.ofMinutes(1));
    db.params().set("prod", "carol", "node 2 is special; threads back to default", List.of(
        ParamChange.set("task-worker", ParamScope.NODE, "n2", "heap", "8g"),
        ParamChange.remove("task-worker", ParamScope.MODULE, "", "threads")));

    assertThat(r1.revision()).isEqualTo(1);
    assertThat(db.params().currentRevision("prod")).isEqualTo(3);
    assertThat(db.clusters().cluster("prod").orElseThrow().paramRevision()).isEqualTo(3);
    assertThat(values(db.params().values("prod", "task-worker", 1)))
        .containsExactly("MODULE//heap=1g@1", "MODULE//threads=8@1");
    assertThat(values(db.params().values("prod", "task-worker")))
        .containsExactly("MODULE//heap=2g@2", "NODE/n2/heap=8g@3", "ROLE/large/heap=4g@2");
    assertThat(db.params().values("prod", "task-worker", 0)).isEmpty();

    List<ParamRevision> history = db.params().history("prod", "task-worker");
    assertThat(history).extracting(ParamRevision::revision).containsExactly(3L, 2L, 1L);
    assertThat(history.get(1).author()).isEqualTo("bob");
    assertThat(history.get(1).reason()).isEqualTo("bigger heap for the large role");
    assertThat(history.get(1).createdAt()).isEqualTo(START.plusSeconds(60));
    assertThat(history.get(0).changes()).containsExactlyInAnyOrder(
        ParamChange.set("task-worker", ParamScope.NODE, "n2", "heap", "8g"),
        ParamChange.remove("task-worker", ParamScope.MODULE, "", "threads"));
    assertThat(db.params().history("prod")).hasSize(3);

    assertThat(db.params().effective("prod", "task-worker", "n1")).containsExactly(Map.entry("heap", "4g"));
    assertThat(db.params().effective("prod", "task-worker", "n2")).containsExactly(Map.entry("heap", "8g"));
    assertThat(db.params().effective("prod", "task-worker", "n3")).containsExactly(Map.entry("heap", "2g"));

    // n2 holds both roles: the one first in name order wins.
    db.params().set("prod", "dave", "small nodes", List.of(
        ParamChange.set("task-worker", ParamScope.ROLE, "small", "heap", "512m"),
        ParamChange.set("task-worker", ParamScope.ROLE, "small", "gc", "serial")));
    db.params().set("prod", "dave", "n2 back to its roles",
        List.of(ParamChange.remove("task-worker", ParamScope.NODE, "n2", "heap")));
    assertThat(db.params().effective("prod", "task-worker", "n2"))
        .containsExactly(Map.entry("gc", "serial"), Map.entry("heap", "4g"));
    assertThat(db.params().effective("prod", "task-worker", "n3"))
        .containsExactly(Map.entry("gc", "serial"), Map.entry("heap", "512m"));
  }

  @Test
  void paramsDiffBetweenTwoRevisionsIsWhatChanged() {
    givenClusterWithModule();
    db.params().set("prod", "alice", "r1", List.of(
        ParamChange.set("task-worker", ParamScope.MODULE, "", "heap", "1g"),
        ParamChange.set("task-worker", ParamScope.MODULE, "", "threads", "8")));
    db.params().set("prod", "alice", "r2", List.of(
        ParamChange.set("task-worker", ParamScope.MODULE, "", "heap", "2g"),
        ParamChange.set("task-worker", ParamScope.ROLE, "large", "gc", "g1")));
    db.params().set("prod", "alice", "r3: heap back, threads gone", List.of(
        ParamChange.set("task-worker", ParamScope.MODULE, "", "heap", "1g"),
        ParamChange.remove("task-worker", ParamScope.MODULE, "", "threads")));

    assertThat(db.params().diff("prod", 1, 3)).containsExactly(
        delta(ParamScope.MODULE, "", "threads", "8", null),
        delta(ParamScope.ROLE, "large", "gc", null, "g1"));
    assertThat(db.params().diff("prod", 3, 1)).containsExactly(
        delta(ParamScope.MODULE, "", "threads", null, "8"),
        delta(ParamScope.ROLE, "large", "gc", "g1", null));
    assertThat(db.params().diff("prod", 1, 2)).containsExactly(
        delta(ParamScope.MODULE, "", "heap", "1g", "2g"),
        delta(ParamScope.ROLE, "large", "gc", null, "g1"));
    assertThat(db.params().diff("prod", 0, 1)).hasSize(2);
    assertThat(db.params().diff("prod", 2, 2)).isEmpty();
    refusedUnchanged("to", () -> db.params().diff("prod", 1, 4));
    refusedUnchanged("from", () -> db.params().diff("prod", -1, 2));
  }

  @Test
  void badParamChangesAreRefusedAndRecordNothing() {
    givenClusterWithModule();
    db.params().set("prod", "alice", "r1", List.of(ParamChange.set("task-worker", ParamScope.MODULE, "", "a", "1")));
    ParamChange ok = ParamChange.set("task-worker", ParamScope.MODULE, "", "b", "2");
    refusedUnchanged("changes[1].module", () -> db.params().set("prod", "alice", "x",
        List.of(ok, ParamChange.set("nope", ParamScope.MODULE, "", "a", "1"))));
    refusedUnchanged("changes[1].target", () -> db.params().set("prod", "alice", "x",
        List.of(ok, ParamChange.set("task-worker", ParamScope.NODE, "n9", "a", "1"))));
    refusedUnchanged("changes[0].target", () -> db.params().set("prod", "alice", "x",
        List.of(ParamChange.set("task-worker", ParamScope.MODULE, "n1", "a", "1"))));
    refusedUnchanged("changes[1]", () -> db.params().set("prod", "alice", "x", List.of(ok, ok)));
    refusedUnchanged("changes[0].key", () -> db.params().set("prod", "alice", "x",
        List.of(ParamChange.set("task-worker", ParamScope.MODULE, "", "a key", "1"))));
    refusedUnchanged("reason", () -> db.params().set("prod", "alice", " ", List.of(ok)));
    refusedUnchanged("author", () -> db.params().set("prod", "", "x", List.of(ok)));
    refusedUnchanged("changes", () -> db.params().set("prod", "alice", "x", List.of()));
    refusedUnchanged("cluster", () -> db.params().set("qa", "alice", "x", List.of(ok)));
    assertThat(db.params().set("prod", "alice", "r2", List.of(ok)).revision()).isEqualTo(2);
  }

  // ---- rollouts, batches, steps

  @Test
  void aRolloutRecordsBatchesStateAndTheClustersNewVersion() {
    givenClusterWithModule();
    Rollout created = db.rollouts().create(upgrade("1.0", "2.0", List.of(List.of("n1"), List.of("n2", "n3"))));
    assertThat(created.state()).isEqualTo(Rollout.State.PENDING);
    assertThat(created.rev()).isEqualTo(1);
    assertThat(created.controllerState()).isEmpty();
    assertThat(created.fromVersion()).contains("1.0");
    assertThat(db.rollouts().batches(created.id())).containsExactly(
        new RolloutBatch(created.id(), 0, RolloutBatch.State.PENDING, List.of("n1"), START),
        new RolloutBatch(created.id(), 1, RolloutBatch.State.PENDING, List.of("n2", "n3"), START));

    clock.advance(Duration.ofSeconds(1));
    Rollout running = db.rollouts().update(created.id(), 1, Rollout.State.RUNNING, new byte[] {1, 2, 3});
    assertThat(running.rev()).isEqualTo(2);
    assertThat(running.updatedAt()).isEqualTo(START.plusSeconds(1));
    assertThat(running.controllerState().orElseThrow()).containsExactly(1, 2, 3);
    assertThat(db.rollouts().setBatchState(created.id(), 0, RolloutBatch.State.RUNNING).state())
        .isEqualTo(RolloutBatch.State.RUNNING);
    assertThat(db.rollouts().active("prod")).extracting(Rollout::id).containsExactly(created.id());

    refusedUnchanged("batch", () -> db.rollouts().setBatchState(created.id(), 2, RolloutBatch.State.RUNNING));
    String before = dump();
    assertThatThrownBy(() -> db.rollouts().update(created.id(), 1, Rollout.State.PAUSED, null))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("rev 2");
    assertThat(dump()).isEqualTo(before);

    assertThat(db.modules().clusterVersions("prod")).isEmpty();
    db.rollouts().update(created.id(), 2, Rollout.State.SUCCEEDED, new byte[] {9});
    assertThat(db.modules().clusterVersions("prod")).containsExactly(Map.entry("task-worker", "2.0"));
    assertThat(db.rollouts().active("prod")).isEmpty();
    refusedUnchanged("state", () -> db.rollouts().update(created.id(), 3, Rollout.State.RUNNING, null));

    Rollout back = db.rollouts().create(new NewRollout("prod", "task-worker", Rollout.Kind.ROLLBACK,
        Optional.of("2.0"), "1.0", "{}", "alice", List.of(List.of("n1", "n2", "n3"))));
    db.rollouts().update(back.id(), 1, Rollout.State.SUCCEEDED, null);
    assertThat(db.modules().clusterVersions("prod")).containsExactly(Map.entry("task-worker", "1.0"));
    assertThat(db.rollouts().rollouts("prod")).extracting(Rollout::id).containsExactly(back.id(), created.id());
  }

  @Test
  void aSecondActiveRolloutOfAModuleIsRefusedAndChangesNothing() {
    givenClusterWithModule();
    Rollout first = db.rollouts().create(upgrade("1.0", "2.0", List.of(List.of("n1"))));
    refusedUnchanged("module", () -> db.rollouts().create(upgrade("1.0", "2.0", List.of(List.of("n2")))));
    db.rollouts().update(first.id(), 1, Rollout.State.PAUSED, null);
    refusedUnchanged("module", () -> db.rollouts().create(upgrade("1.0", "2.0", List.of(List.of("n2")))));

    refusedUnchanged("batches[1]", () -> db.rollouts().create(upgrade("1.0", "2.0", List.of(List.of("n1"),
        List.of("n9")))));
    refusedUnchanged("batches[1]", () -> db.rollouts().create(upgrade("1.0", "2.0", List.of(List.of("n1"),
        List.of("n1")))));
    refusedUnchanged("to_version", () -> db.rollouts().create(upgrade("1.0", "3.0", List.of(List.of("n1")))));
    refusedUnchanged("from_version", () -> db.rollouts().create(upgrade("0.9", "2.0", List.of(List.of("n1")))));

    db.rollouts().update(first.id(), 2, Rollout.State.ABORTED, null);
    assertThat(db.rollouts().create(upgrade("1.0", "2.0", List.of(List.of("n2")))).id()).isNotEqualTo(first.id());
  }

  @Test
  void theDatabaseItselfRefusesASecondActiveRollout() {
    givenClusterWithModule();
    Rollout first = db.rollouts().create(upgrade("1.0", "2.0", List.of(List.of("n1"))));
    String before = dump();
    // Past the store's own check, straight into the table: the constraint holds.
    assertThatThrownBy(() -> db.jdbi().useHandle(h -> h.execute(
        "INSERT INTO rollouts (cluster_id, module_id, kind, to_version, strategy, state, active, created_by, "
            + "created_at, updated_at, rev) SELECT cluster_id, module_id, kind, to_version, strategy, 'RUNNING', "
            + "TRUE, created_by, created_at, updated_at, 1 FROM rollouts WHERE id = ?", first.id())))
        .satisfies(e -> assertThat(e.getMessage().toLowerCase()).contains("rollouts_one_active"));
    assertThat(dump()).isEqualTo(before);
  }

  @Test
  void stepReportsAreIdempotent() {
    givenClusterWithModule();
    long id = db.rollouts().create(upgrade("1.0", "2.0", List.of(List.of("n1", "n2")))).id();
    NodeStep running = db.rollouts().reportStep(id, "n1", "fetch", NodeStep.Status.RUNNING, 1, "");
    clock.advance(Duration.ofSeconds(1));
    NodeStep done = db.rollouts().reportStep(id, "n1", "fetch", NodeStep.Status.SUCCEEDED, 1, "42 MB");
    String afterDone = dump();
    clock.advance(Duration.ofSeconds(1));
    assertThat(db.rollouts().reportStep(id, "n1", "fetch", NodeStep.Status.SUCCEEDED, 1, "42 MB")).isEqualTo(done);
    assertThat(db.rollouts().reportStep(id, "n1", "fetch", NodeStep.Status.RUNNING, 1, "late")).isEqualTo(done);
    assertThat(dump()).isEqualTo(afterDone);

    assertThat(running).isEqualTo(new NodeStep(id, "n1", "fetch", NodeStep.Status.RUNNING, 1, "", START, START));
    assertThat(done).isEqualTo(new NodeStep(id, "n1", "fetch", NodeStep.Status.SUCCEEDED, 1, "42 MB", START,
        START.plusSeconds(1)));

    db.rollouts().reportStep(id, "n2", "fetch", NodeStep.Status.FAILED, 1, "disk full");
    NodeStep retried = db.rollouts().reportStep(id, "n2", "fetch", NodeStep.Status.RUNNING, 2, "");
    assertThat(retried.attempt()).isEqualTo(2);
    assertThat(db.rollouts().reportStep(id, "n2", "fetch", NodeStep.Status.FAILED, 1, "stale")).isEqualTo(retried);
    db.rollouts().reportStep(id, "n1", "verify", NodeStep.Status.SUCCEEDED, 1, "");
    assertThat(db.rollouts().steps(id)).extracting(s -> s.host() + "/" + s.step() + "=" + s.status() + "#" + s.attempt())
        .containsExactly("n1/fetch=SUCCEEDED#1", "n1/verify=SUCCEEDED#1", "n2/fetch=RUNNING#2");

    refusedUnchanged("host", () -> db.rollouts().reportStep(id, "n3", "fetch", NodeStep.Status.RUNNING, 1, ""));
    refusedUnchanged("rollout", () -> db.rollouts().reportStep(id + 1, "n1", "fetch", NodeStep.Status.RUNNING, 1,
        ""));
    refusedUnchanged("attempt", () -> db.rollouts().reportStep(id, "n1", "fetch", NodeStep.Status.RUNNING, 0, ""));
    refusedUnchanged("step", () -> db.rollouts().reportStep(id, "n1", "Fetch It", NodeStep.Status.RUNNING, 1, ""));
  }

  // ---- concurrency and reopening

  @Test
  void concurrentWritersStayConsistent() throws Exception {
    givenClusterWithModule();
    long id = db.rollouts().create(upgrade("1.0", "2.0", List.of(List.of("n1", "n2", "n3")))).id();
    int rounds = 30;
    List<Callable<Void>> writers = new ArrayList<>();
    for (int w = 0; w < 2; w++) {
      String author = "writer-" + w;
      writers.add(() -> {
        for (int i = 0; i < rounds; i++) {
          // Both writers publish the same versions (one row each) and report the same steps.
          db.modules().publish("shared", "1." + i, sha((char) ('a' + i % 6)), i, "d" + i, author);
          db.rollouts().reportStep(id, "n" + (1 + i % 3), "step-" + i, NodeStep.Status.SUCCEEDED, 1, "");
          db.params().set("prod", author, "round " + i, List.of(
              ParamChange.set("task-worker", ParamScope.MODULE, "", author, Integer.toString(i))));
        }
        return null;
      });
    }
    runTogether(writers);

    assertThat(db.modules().versions("shared")).hasSize(rounds);
    assertThat(db.rollouts().steps(id)).hasSize(rounds);
    assertThat(db.params().currentRevision("prod")).isEqualTo(2L * rounds);
    assertThat(db.params().history("prod")).extracting(ParamRevision::revision)
        .containsExactlyElementsOf(descending(2 * rounds));
    assertThat(values(db.params().values("prod", "task-worker"))).extracting(v -> v.replaceAll("@.*", ""))
        .containsExactly("MODULE//writer-0=" + (rounds - 1), "MODULE//writer-1=" + (rounds - 1));
  }

  @Test
  void racingRolloutsOfOneModuleStartOnlyOne() throws Exception {
    givenClusterWithModule();
    List<Callable<Optional<Long>>> racers = new ArrayList<>();
    for (int w = 0; w < 2; w++) {
      racers.add(() -> {
        try {
          return Optional.of(db.rollouts().create(upgrade("1.0", "2.0", List.of(List.of("n1")))).id());
        } catch (IllegalArgumentException e) {
          assertThat(e).hasMessageStartingWith("module ");
          return Optional.empty();
        }
      });
    }
    assertThat(runTogether(racers)).filteredOn(Optional::isPresent).hasSize(1);
    assertThat(db.rollouts().rollouts("prod")).hasSize(1);
  }

  @Test
  void reopeningKeepsTheDataAndMigratesNothingTwice() {
    givenClusterWithModule();
    db.params().set("prod", "alice", "r1", List.of(ParamChange.set("task-worker", ParamScope.MODULE, "", "a", "1")));
    long id = db.rollouts().create(upgrade("1.0", "2.0", List.of(List.of("n1")))).id();
    db.rollouts().update(id, 1, Rollout.State.RUNNING, new byte[] {7});
    String before = dump();
    List<String> history = migrationHistory();
    db.close();

    db = ConfigDatabase.open(settings, clock);
    assertThat(dump()).isEqualTo(before);
    assertThat(migrationHistory()).isEqualTo(history);
    assertThat(db.rollouts().active("prod")).singleElement()
        .satisfies(r -> assertThat(r.controllerState().orElseThrow()).containsExactly(7));
  }

  // ---- helpers

  /** Flyway's record of what it applied: version, description and success of each step. */
  private List<String> migrationHistory() {
    List<String> history = db.jdbi().withHandle(h -> h.createQuery("SELECT \"version\", \"description\", "
        + "\"success\" FROM \"flyway_schema_history\" ORDER BY \"installed_rank\"").mapToMap().list()).stream()
        .map(Object::toString).toList();
    assertThat(history).anySatisfy(row -> assertThat(row).contains("configuration database"));
    return history;
  }

  private void givenClusterWithModule() {
    db.clusters().addCluster("prod", "");
    db.clusters().addNode("prod", "n1", "r1", Set.of("large"));
    db.clusters().addNode("prod", "n2", "r1", Set.of("large", "small"));
    db.clusters().addNode("prod", "n3", "r2", Set.of("small"));
    db.modules().publish("task-worker", "1.0", sha('1'), 100, "descriptor 1.0", "ops");
    db.modules().publish("task-worker", "2.0", sha('2'), 200, "descriptor 2.0", "ops");
  }

  private static NewRollout upgrade(String from, String to, List<List<String>> batches) {
    return new NewRollout("prod", "task-worker", Rollout.Kind.UPGRADE, Optional.of(from), to,
        "{\"batches\":\"25%\"}", "alice", batches);
  }

  private static String sha(char c) {
    return String.valueOf(c).repeat(64);
  }

  private static ParamDelta delta(ParamScope scope, String target, String key, String before, String after) {
    return new ParamDelta("task-worker", scope, target, key, Optional.ofNullable(before), Optional.ofNullable(after));
  }

  private static List<String> values(List<ParamValue> values) {
    return values.stream().map(v -> v.scope() + "/" + v.target() + "/" + v.key() + "=" + v.value() + "@" + v.setIn())
        .toList();
  }

  private static List<Long> descending(int n) {
    List<Long> revisions = new ArrayList<>();
    for (long r = n; r >= 1; r--) {
      revisions.add(r);
    }
    return revisions;
  }

  /** The write is refused with an error that starts with the field, and no row of any table changed. */
  private void refusedUnchanged(String field, Executable write) {
    String before = dump();
    assertThatThrownBy(write::execute).isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith(field + " ");
    assertThat(dump()).isEqualTo(before);
  }

  /** Every row of every table, in a stable order. */
  private String dump() {
    return db.jdbi().withHandle(h -> {
      StringBuilder out = new StringBuilder();
      for (String table : TABLES) {
        List<String> rows = new ArrayList<>();
        for (Map<String, Object> row : h.createQuery("SELECT * FROM " + table).mapToMap().list()) {
          Map<String, String> cells = new TreeMap<>();
          row.forEach((k, v) -> cells.put(k, v instanceof byte[] b ? HexFormat.of().formatHex(b) : String.valueOf(v)));
          rows.add(cells.toString());
        }
        rows.sort(null);
        out.append(table).append(": ").append(rows).append('\n');
      }
      return out.toString();
    });
  }

  /** Starts the tasks at the same moment on their own threads and returns their results. */
  private static <T> List<T> runTogether(List<Callable<T>> tasks) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(tasks.size());
    try {
      CountDownLatch gate = new CountDownLatch(1);
      List<Future<T>> futures = new ArrayList<>();
      for (Callable<T> task : tasks) {
        futures.add(pool.submit(() -> {
          gate.await();
          return task.call();
        }));
      }
      gate.countDown();
      List<T> results = new ArrayList<>();
      for (Future<T> f : futures) {
        results.add(f.get(60, TimeUnit.SECONDS));
      }
      return results;
    } finally {
      pool.shutdownNow();
    }
  }
}
