package io.feitian.dayu.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.feitian.dayu.p2p.PieceManifest;
import io.feitian.dayu.rollout.Kind;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Random;
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
import org.junit.jupiter.api.io.TempDir;

/**
 * What the configuration database does, run against each database it
 * supports (H2 and PostgreSQL) by a subclass that says where a fresh, empty
 * database is.
 */
abstract class ConfigDatabaseContract {
  private static final Instant START = Instant.parse("2030-01-02T03:04:05.678Z");
  private static final List<String> TABLES = List.of("clusters", "nodes", "node_roles", "modules", "module_versions",
      "cluster_modules", "param_revisions", "param_changes", "rollouts", "rollout_targets", "rollout_nodes",
      "node_tasks", "node_modules", "package_chunks", "package_manifests");
  private static final String STRATEGY = "{\"batches\":\"25%\"}";

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

  @Test
  void aPackageIsStoredInChunksWithItsVersionAndReadBackWhole(@TempDir Path dir) throws Exception {
    // Two full chunks and a partial one.
    byte[] bytes = new byte[2 * ModuleStore.CHUNK_BYTES + 12345];
    new Random(42).nextBytes(bytes);
    Path file = Files.write(dir.resolve("app.tar.gz"), bytes);
    String sha = sha256(bytes);

    ModuleVersion v = db.modules().publish("app", "1.0.0", sha, bytes.length, "name: app", "ops", file);
    assertThat(v.sizeBytes()).isEqualTo(bytes.length);
    assertThat(chunkSizes("1.0.0")).containsExactly(ModuleStore.CHUNK_BYTES, ModuleStore.CHUNK_BYTES, 12345);
    assertThat(readAll("app", "1.0.0")).isEqualTo(bytes);
    // Published again: answered from the database, the file is not read.
    Files.delete(file);
    assertThat(db.modules().publish("app", "1.0.0", sha, bytes.length, "name: app", "bob", file)).isEqualTo(v);
    assertThat(readAll("app", "1.0.0")).isEqualTo(bytes);
  }

  @Test
  void aPackageIsPublishedWithItsPieceManifestAndServesAnyRange(@TempDir Path dir) throws Exception {
    byte[] bytes = new byte[2 * ModuleStore.CHUNK_BYTES + 12345];
    new Random(43).nextBytes(bytes);
    Path file = Files.write(dir.resolve("app.tar.gz"), bytes);
    int piece = 768 * 1024; // pieces that straddle the 1 MiB chunks
    db.modules().publish("app", "1.0.0", sha256(bytes), bytes.length, "name: app", "ops", file, piece);
    PieceManifest m = db.modules().manifest("app", "1.0.0");
    assertThat(m).isEqualTo(PieceManifest.of(bytes, piece));
    for (int i = 0; i < m.pieceCount(); i++) {
      assertThat(db.modules().range("app", "1.0.0", m.offset(i), m.length(i)))
          .isEqualTo(Arrays.copyOfRange(bytes, (int) m.offset(i), (int) m.offset(i) + m.length(i)));
    }
    assertThatThrownBy(() -> db.modules().range("app", "1.0.0", bytes.length - 1, 2))
        .hasMessageStartingWith("piece ");
    assertThatThrownBy(() -> db.modules().manifest("app", "9.9.9")).isInstanceOf(NotFoundException.class);
  }

  @Test
  void aVersionPublishedBeforeManifestsGetsOneWhenFirstAsked(@TempDir Path dir) throws Exception {
    byte[] bytes = new byte[PieceManifest.DEFAULT_PIECE_BYTES + 10];
    new Random(44).nextBytes(bytes);
    Path file = Files.write(dir.resolve("app.tar.gz"), bytes);
    db.modules().publish("app", "1.0.0", sha256(bytes), bytes.length, "name: app", "ops", file);
    // As a version stored before migration V4: chunks, no manifest.
    db.jdbi().useHandle(h -> h.execute("DELETE FROM package_manifests"));
    assertThat(db.modules().manifest("app", "1.0.0")).isEqualTo(PieceManifest.of(bytes,
        PieceManifest.DEFAULT_PIECE_BYTES));
    int stored = db.jdbi().withHandle(h -> h.createQuery("SELECT COUNT(*) FROM package_manifests")
        .mapTo(Integer.class).one());
    assertThat(stored).isEqualTo(1);
    assertThat(db.modules().manifest("app", "1.0.0").pieceCount()).isEqualTo(2);
  }

  @Test
  void aFailedPublicationLeavesNeitherTheVersionNorAnyChunk(@TempDir Path dir) throws Exception {
    byte[] bytes = new byte[ModuleStore.CHUNK_BYTES + 1];
    new Random(7).nextBytes(bytes);
    Path file = Files.write(dir.resolve("app.tar.gz"), bytes);
    // The checksum is found wrong only after both chunks were written: the transaction drops them.
    refusedUnchanged("sha256", () -> db.modules().publish("app", "1.0.0", sha('a'), bytes.length, "d", "ops", file));
    refusedUnchanged("size_bytes", () -> db.modules().publish("app", "1.0.0", sha256(bytes), bytes.length + 1,
        "d", "ops", file));
    refusedUnchanged("size_bytes", () -> db.modules().publish("app", "1.0.0", sha256(bytes), 10, "d", "ops",
        file));
    assertThat(db.modules().version("app", "1.0.0")).isEmpty();
    int chunks = db.jdbi().withHandle(h -> h.createQuery("SELECT COUNT(*) FROM package_chunks").mapTo(Integer.class)
        .one());
    assertThat(chunks).isZero();
  }

  @Test
  void aVersionRecordedWithoutItsBytesIsALostPackageUntilPublishedAgainWithThem(@TempDir Path dir)
      throws Exception {
    byte[] bytes = "ten bytes!".getBytes(StandardCharsets.US_ASCII);
    ModuleVersion v = db.modules().publish("app", "1.0.0", sha256(bytes), 10, "name: app", "ops");
    assertThatThrownBy(() -> db.modules().content("app", "1.0.0")).isInstanceOf(LostPackageException.class)
        .hasMessage("version '1.0.0' of module 'app' was published with 10 bytes (1 chunks), but the database "
            + "holds 0 chunks of it");
    assertThatThrownBy(() -> db.modules().content("app", "2.0.0")).isInstanceOf(NotFoundException.class);

    Path file = Files.write(dir.resolve("app.tar.gz"), bytes);
    assertThat(db.modules().publish("app", "1.0.0", sha256(bytes), 10, "name: app", "bob", file)).isEqualTo(v);
    assertThat(readAll("app", "1.0.0")).isEqualTo(bytes);
  }

  // ---- parameters

  @Test
  void everyParamChangeIsANewRevisionWithWhoWhenAndWhy() {
    givenClusters();
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
    givenClusters();
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
    givenClusters();
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

  // ---- rollouts and their tasks

  @Test
  void aRolloutKeepsItsTargetsNodesTasksAndControllerState() {
    givenClusters();
    NodeTask n2 = task("n2", "task-worker", "FORWARD", "RUNNING", 0, 0, 1);
    NodeTask n1 = task("n1", "task-worker", "FORWARD", "SUCCEEDED", 0, 0, 3);
    NodeTask away = task("n3", "task-worker", "FORWARD", "DEFERRED", 0, -1, 0);
    NodeTask agent = task("n1", "agent", "FORWARD", "PENDING", 1, 0, 0);
    Rollout created = db.rollouts().create(new NewRollout("prod", Kind.UPGRADE,
        Map.of("task-worker", "2.0", "agent", ""), Set.of(), STRATEGY, "alice", Rollout.State.RUNNING,
        new byte[] {1, 2, 3}, List.of(agent, n2, n1, away)));

    assertThat(created).isEqualTo(new Rollout(created.id(), "prod", Kind.UPGRADE,
        Map.of("agent", "", "task-worker", "2.0"), Set.of(), STRATEGY, Rollout.State.RUNNING, false, "alice", START,
        START, 1, new byte[] {1, 2, 3}, false));
    assertThat(db.rollouts().rollout(created.id())).contains(created);
    assertThat(db.rollouts().active("prod")).contains(created);
    assertThat(db.rollouts().rollouts("prod")).containsExactly(created);
    assertThat(db.rollouts().tasks(created.id())).containsExactly(at(away, START), at(n1, START), at(n2, START),
        at(agent, START));

    Rollout out = db.rollouts().create(new NewRollout("dev", Kind.SCALE_IN, Map.of(), Set.of("d1"), STRATEGY, "bob",
        Rollout.State.RUNNING, new byte[0], List.of()));
    assertThat(out.nodes()).containsExactly("d1");
    assertThat(out.targets()).isEmpty();
    assertThat(db.rollouts().tasks(out.id())).isEmpty();
    assertThat(db.rollouts().rollout(out.id() + 1)).isEmpty();
    assertThatThrownBy(() -> db.rollouts().tasks(out.id() + 1)).isInstanceOf(NotFoundException.class)
        .hasMessageStartingWith("rollout ");
  }

  @Test
  void anUpdateUpsertsTasksAndMovesTheirTimeOnlyWhenTheyChange() {
    givenClusters();
    NodeTask n1 = task("n1", "task-worker", "FORWARD", "RUNNING", 0, 0, 1);
    NodeTask n2 = task("n2", "task-worker", "FORWARD", "PENDING", 0, 0, 0);
    Rollout r = db.rollouts().create(upgrade(List.of(n1, n2)));

    clock.advance(Duration.ofSeconds(1));
    NodeTask n1Done = task("n1", "task-worker", "FORWARD", "FAILED", 0, 0, 2);
    NodeTask n1Back = task("n1", "task-worker", "ROLLBACK", "PENDING", 0, 0, 0);
    Rollout updated = db.rollouts().update(r.id(), 1, Rollout.State.RUNNING, true, new byte[] {4}, false,
        List.of(n1Done, n2, n1Back));
    assertThat(updated.rev()).isEqualTo(2);
    assertThat(updated.paused()).isTrue();
    assertThat(updated.updatedAt()).isEqualTo(START.plusSeconds(1));
    assertThat(updated.controllerState()).containsExactly(4);
    assertThat(db.rollouts().tasks(r.id())).containsExactly(at(n1Done, START.plusSeconds(1)),
        at(n1Back, START.plusSeconds(1)), at(n2, START));

    // Tasks not listed stay; an update may list none.
    clock.advance(Duration.ofSeconds(1));
    db.rollouts().update(r.id(), 2, Rollout.State.RUNNING, false, new byte[] {5}, false, List.of());
    assertThat(db.rollouts().tasks(r.id())).hasSize(3);
  }

  @Test
  void aStaleRevisionChangesNothing() {
    givenClusters();
    Rollout r = db.rollouts().create(upgrade(List.of(task("n1", "task-worker", "FORWARD", "PENDING", 0, 0, 0))));
    db.rollouts().update(r.id(), 1, Rollout.State.RUNNING, false, new byte[] {2}, false, List.of());
    String before = dump();
    assertThatThrownBy(() -> db.rollouts().update(r.id(), 1, Rollout.State.ABORTED, false, new byte[] {3}, true,
        List.of(task("n1", "task-worker", "FORWARD", "SUCCEEDED", 0, 0, 3))))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("rev 2, not 1: another writer changed it");
    assertThat(dump()).isEqualTo(before);
    assertThatThrownBy(() -> db.rollouts().update(r.id() + 1, 1, Rollout.State.RUNNING, false, new byte[0], false,
        List.of())).isInstanceOf(NotFoundException.class).hasMessageStartingWith("rollout ");
  }

  @Test
  void aClusterHasAtMostOneActiveRollout() {
    givenClusters();
    Rollout first = db.rollouts().create(upgrade(List.of()));
    String before = dump();
    assertThatThrownBy(() -> db.rollouts().create(upgrade(List.of()))).isInstanceOf(IllegalStateException.class)
        .hasMessage("cluster 'prod' has rollout " + first.id() + " still RUNNING; wait for it, abort or roll it back "
            + "first");
    assertThat(dump()).isEqualTo(before);
    Rollout dev = db.rollouts().create(new NewRollout("dev", Kind.SCALE_OUT, Map.of("task-worker", "1.0"),
        Set.of("d1"), STRATEGY, "bob", Rollout.State.RUNNING, new byte[0], List.of()));
    assertThat(db.rollouts().active("dev")).contains(dev);

    Rollout aborted = db.rollouts().update(first.id(), 1, Rollout.State.ABORTED, false, new byte[0], false, List.of());
    assertThat(db.rollouts().active("prod")).isEmpty();
    Rollout second = db.rollouts().create(upgrade(List.of()));
    assertThat(db.rollouts().active("prod")).contains(second);
    // The operator's rollback of the aborted one would make two active rollouts.
    before = dump();
    assertThatThrownBy(() -> db.rollouts().update(first.id(), aborted.rev(), Rollout.State.ROLLING_BACK, false,
        new byte[0], false, List.of())).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("has rollout " + second.id() + " still RUNNING");
    assertThat(dump()).isEqualTo(before);
    assertThat(db.rollouts().rollouts("prod")).extracting(Rollout::id).containsExactly(second.id(), first.id());
  }

  @Test
  void theDatabaseItselfRefusesASecondActiveRollout() {
    givenClusters();
    Rollout first = db.rollouts().create(upgrade(List.of()));
    String before = dump();
    // Past the store's own check, straight into the table: the constraint holds.
    assertThatThrownBy(() -> db.jdbi().useHandle(h -> h.execute(
        "INSERT INTO rollouts (cluster_id, kind, strategy, state, paused, active, created_by, created_at, updated_at, "
            + "rev, controller_state, repairs_pending) SELECT cluster_id, kind, strategy, 'ROLLING_BACK', FALSE, "
            + "TRUE, created_by, created_at, updated_at, 1, controller_state, FALSE FROM rollouts WHERE id = ?",
        first.id()))).satisfies(e -> assertThat(e.getMessage().toLowerCase()).contains("rollouts_one_active"));
    assertThat(dump()).isEqualTo(before);
  }

  @Test
  void racingRolloutsOfOneClusterStartOnlyOne() throws Exception {
    givenClusters();
    List<Callable<Optional<Long>>> racers = new ArrayList<>();
    for (int w = 0; w < 2; w++) {
      racers.add(() -> {
        try {
          return Optional.of(db.rollouts().create(upgrade(List.of())).id());
        } catch (IllegalStateException e) {
          assertThat(e).hasMessageContaining("still RUNNING");
          return Optional.empty();
        }
      });
    }
    assertThat(runTogether(racers)).filteredOn(Optional::isPresent).hasSize(1);
    assertThat(db.rollouts().rollouts("prod")).hasSize(1);
  }

  @Test
  void successSetsTheVersionsTheClusterRuns() {
    givenClusters();
    Rollout deploy = db.rollouts().create(new NewRollout("prod", Kind.DEPLOY, Map.of("task-worker", "1.0",
        "agent", "1.0"), Set.of(), STRATEGY, "alice", Rollout.State.RUNNING, new byte[0], List.of()));
    assertThat(db.modules().clusterVersions("prod")).isEmpty();
    db.rollouts().update(deploy.id(), 1, Rollout.State.SUCCEEDED, false, new byte[0], false, List.of());
    assertThat(db.modules().clusterVersions("prod"))
        .containsExactly(Map.entry("agent", "1.0"), Map.entry("task-worker", "1.0"));
    assertThat(db.rollouts().active("prod")).isEmpty();

    // An upgrade that also removes a module; then a scale-in, which changes nodes, not versions.
    Rollout upgrade = db.rollouts().create(new NewRollout("prod", Kind.UPGRADE, Map.of("task-worker", "2.0",
        "agent", ""), Set.of(), STRATEGY, "alice", Rollout.State.RUNNING, new byte[0], List.of()));
    db.rollouts().update(upgrade.id(), 1, Rollout.State.SUCCEEDED, false, new byte[0], false, List.of());
    assertThat(db.modules().clusterVersions("prod")).containsExactly(Map.entry("task-worker", "2.0"));
    db.rollouts().create(new NewRollout("prod", Kind.SCALE_IN, Map.of("task-worker", ""), Set.of("n3"), STRATEGY,
        "alice", Rollout.State.SUCCEEDED, new byte[0], List.of()));
    assertThat(db.modules().clusterVersions("prod")).containsExactly(Map.entry("task-worker", "2.0"));

    // A rollout with nothing to do is created SUCCEEDED: its targets apply at once.
    db.rollouts().create(new NewRollout("prod", Kind.ROLLBACK, Map.of("task-worker", "1.0"), Set.of(), STRATEGY,
        "alice", Rollout.State.SUCCEEDED, new byte[0], List.of()));
    assertThat(db.modules().clusterVersions("prod")).containsExactly(Map.entry("task-worker", "1.0"));
  }

  @Test
  void aScaleInThatSucceededTakesItsNodesOutOnceTheirTasksSucceeded() {
    givenClusters();
    db.clusters().reportModules("prod", "n2", Map.of("task-worker", "1.0"));
    db.clusters().reportModules("prod", "n3", Map.of("task-worker", "1.0"));
    NodeTask n2Running = new NodeTask("n2", "task-worker", "FORWARD", "1.0", "", "RUNNING", 0, 0, 1, 3, "", null);
    NodeTask n3Away = new NodeTask("n3", "task-worker", "FORWARD", "1.0", "", "DEFERRED", 0, -1, 0, 3, "", null);
    Rollout r = db.rollouts().create(new NewRollout("prod", Kind.SCALE_IN, Map.of("task-worker", ""),
        Set.of("n2", "n3"), STRATEGY, "alice", Rollout.State.RUNNING, new byte[0], List.of(n2Running, n3Away)));
    assertThat(db.clusters().nodes("prod")).extracting(Node::host).containsExactly("n1", "n2", "n3");

    // Succeeded with n3 away: n2 goes (roles and installed modules with it), n3 stays for its agent.
    NodeTask n2Done = new NodeTask("n2", "task-worker", "FORWARD", "1.0", "", "SUCCEEDED", 0, 0, 3, 3, "", null);
    r = db.rollouts().update(r.id(), r.rev(), Rollout.State.SUCCEEDED, false, new byte[0], true, List.of(n2Done));
    assertThat(db.clusters().nodes("prod")).extracting(Node::host).containsExactly("n1", "n3");
    assertThat(db.clusters().node("prod", "n2")).isEmpty();
    assertThat(db.clusters().nodeModules("prod")).containsOnlyKeys("n3");
    assertThat(db.rollouts().tasks(r.id())).extracting(NodeTask::host).containsExactly("n3", "n2");
    assertThat(db.rollouts().rollout(r.id()).orElseThrow().nodes()).containsExactlyInAnyOrder("n2", "n3");

    // n3's agent came back and ran its removal: the update recording it takes n3 out.
    NodeTask n3Done = new NodeTask("n3", "task-worker", "FORWARD", "1.0", "", "SUCCEEDED", 0, -1, 3, 3, "", null);
    db.rollouts().update(r.id(), r.rev(), Rollout.State.SUCCEEDED, false, new byte[0], false, List.of(n3Done));
    assertThat(db.clusters().nodes("prod")).extracting(Node::host).containsExactly("n1");

    // The host may be added again, as a new node.
    db.clusters().addNode("prod", "n2", "r3", Set.of("small"));
    assertThat(db.clusters().node("prod", "n2").orElseThrow().rack()).isEqualTo("r3");
  }

  @Test
  void aScaleInThatDidNotSucceedAndOtherKindsKeepTheirNodes() {
    givenClusters();
    Rollout failed = db.rollouts().create(new NewRollout("prod", Kind.SCALE_IN, Map.of(), Set.of("n3"), STRATEGY,
        "alice", Rollout.State.RUNNING, new byte[0], List.of()));
    db.rollouts().update(failed.id(), failed.rev(), Rollout.State.ABORTED, false, new byte[0], false, List.of());
    db.rollouts().create(new NewRollout("prod", Kind.SCALE_OUT, Map.of(), Set.of("n2"), STRATEGY, "alice",
        Rollout.State.SUCCEEDED, new byte[0], List.of()));
    assertThat(db.clusters().nodes("prod")).extracting(Node::host).containsExactly("n1", "n2", "n3");

    // Nothing to do (no module on the node): created SUCCEEDED, the node goes at once.
    db.rollouts().create(new NewRollout("prod", Kind.SCALE_IN, Map.of(), Set.of("n3"), STRATEGY, "alice",
        Rollout.State.SUCCEEDED, new byte[0], List.of()));
    assertThat(db.clusters().nodes("prod")).extracting(Node::host).containsExactly("n1", "n2");
    assertThat(db.clusters().nodes("dev")).extracting(Node::host).containsExactly("d1");
  }

  @Test
  void statesMoveOnlyAsTheRolloutCoreMovesThem() {
    givenClusters();
    Rollout r = db.rollouts().create(upgrade(List.of()));
    r = db.rollouts().update(r.id(), r.rev(), Rollout.State.FAILED, true, new byte[0], false, List.of());
    assertThat(db.rollouts().active("prod")).isEmpty();
    refusedStateUnchanged(r, Rollout.State.ABORTED, "is FAILED and cannot become ABORTED");
    refusedStateUnchanged(r, Rollout.State.SUCCEEDED, "is FAILED and cannot become SUCCEEDED");

    // The operator's rollback: FAILED takes the active slot again.
    r = db.rollouts().update(r.id(), r.rev(), Rollout.State.ROLLING_BACK, false, new byte[0], false, List.of());
    assertThat(db.rollouts().active("prod")).contains(r);
    refusedStateUnchanged(r, Rollout.State.RUNNING, "is ROLLING_BACK and cannot become RUNNING");
    r = db.rollouts().update(r.id(), r.rev(), Rollout.State.ROLLED_BACK, false, new byte[0], false, List.of());
    for (Rollout.State s : List.of(Rollout.State.RUNNING, Rollout.State.ROLLING_BACK, Rollout.State.FAILED)) {
      refusedStateUnchanged(r, s, "is ROLLED_BACK and cannot become " + s + ": it has ended");
    }

    Rollout done = db.rollouts().create(upgrade(List.of()));
    done = db.rollouts().update(done.id(), done.rev(), Rollout.State.SUCCEEDED, false, new byte[0], false, List.of());
    for (Rollout.State s : Rollout.State.values()) {
      if (s != Rollout.State.SUCCEEDED) {
        refusedStateUnchanged(done, s, "is SUCCEEDED and cannot become " + s + ": it has ended");
      }
    }
    // An ended rollout still repairs nodes that were away: its tasks, controller state and repairs flag change.
    NodeTask repaired = task("n3", "task-worker", "FORWARD", "SUCCEEDED", 0, -1, 3);
    Rollout repairing = db.rollouts().update(done.id(), done.rev(), Rollout.State.SUCCEEDED, false, new byte[] {8},
        true, List.of(repaired));
    assertThat(repairing.repairsPending()).isTrue();
    assertThat(repairing.controllerState()).containsExactly(8);
    assertThat(db.rollouts().tasks(done.id())).containsExactly(at(repaired, START));
  }

  @Test
  void unsettledRolloutsAreTheActiveOnesAndThoseWithRepairsPending() {
    givenClusters();
    Rollout settled = db.rollouts().create(upgrade(List.of()));
    db.rollouts().update(settled.id(), 1, Rollout.State.SUCCEEDED, false, new byte[0], false, List.of());
    Rollout repairs = db.rollouts().create(upgrade(List.of()));
    repairs = db.rollouts().update(repairs.id(), 1, Rollout.State.SUCCEEDED, false, new byte[0], true, List.of());
    Rollout failed = db.rollouts().create(upgrade(List.of()));
    failed = db.rollouts().update(failed.id(), 1, Rollout.State.FAILED, false, new byte[0], true, List.of());
    Rollout running = db.rollouts().create(upgrade(List.of()));
    Rollout dev = db.rollouts().create(new NewRollout("dev", Kind.SCALE_OUT, Map.of("task-worker", "1.0"),
        Set.of("d1"), STRATEGY, "bob", Rollout.State.RUNNING, new byte[0], List.of()));

    assertThat(db.rollouts().unsettled()).containsExactly(repairs, failed, running, dev);
    db.rollouts().update(repairs.id(), repairs.rev(), Rollout.State.SUCCEEDED, false, new byte[0], false, List.of());
    assertThat(db.rollouts().unsettled()).extracting(Rollout::id).containsExactly(failed.id(), running.id(), dev.id());
  }

  @Test
  void badRolloutsAndTasksAreRefusedNamingTheField() {
    givenClusters();
    NodeTask ok = task("n1", "task-worker", "FORWARD", "PENDING", 0, 0, 0);
    refusedUnchanged("cluster", () -> db.rollouts().create(new NewRollout("qa", Kind.UPGRADE, Map.of(), Set.of(),
        STRATEGY, "alice", Rollout.State.RUNNING, new byte[0], List.of())));
    refusedUnchanged("targets[task-worker]", () -> db.rollouts().create(withTargets(Map.of("task-worker", "3.0"))));
    refusedUnchanged("targets[ghost]", () -> db.rollouts().create(withTargets(Map.of("ghost", ""))));
    refusedUnchanged("targets", () -> db.rollouts().create(withTargets(Map.of("Ghost!", "1.0"))));
    assertThatThrownBy(() -> db.rollouts().create(withTargets(Map.of("task-worker", "3.0"))))
        .isInstanceOf(NotFoundException.class);
    refusedUnchanged("nodes", () -> db.rollouts().create(new NewRollout("prod", Kind.SCALE_IN, Map.of(),
        Set.of("n1", "d1"), STRATEGY, "alice", Rollout.State.RUNNING, new byte[0], List.of())));
    refusedUnchanged("controller_state", () -> db.rollouts().create(new NewRollout("prod", Kind.UPGRADE, Map.of(),
        Set.of(), STRATEGY, "alice", Rollout.State.RUNNING, new byte[RolloutStore.MAX_CONTROLLER_STATE_BYTES + 1],
        List.of())));
    refusedUnchanged("tasks[1].host", () -> db.rollouts().create(upgrade(List.of(ok,
        task("d1", "task-worker", "FORWARD", "PENDING", 0, 0, 0)))));
    refusedUnchanged("tasks[1]", () -> db.rollouts().create(upgrade(List.of(ok, ok))));
    refusedUnchanged("tasks[0].state", () -> db.rollouts().create(upgrade(List.of(
        task("n1", "task-worker", "FORWARD", "DONE", 0, 0, 0)))));
    refusedUnchanged("tasks[0].purpose", () -> db.rollouts().create(upgrade(List.of(
        task("n1", "task-worker", "SIDEWAYS", "PENDING", 0, 0, 0)))));
    refusedUnchanged("tasks[0].batch", () -> db.rollouts().create(upgrade(List.of(
        task("n1", "task-worker", "FORWARD", "PENDING", 0, -2, 0)))));
    refusedUnchanged("tasks[0].steps_done", () -> db.rollouts().create(upgrade(List.of(
        task("n1", "task-worker", "FORWARD", "PENDING", 0, 0, 4)))));

    Rollout r = db.rollouts().create(upgrade(List.of(ok)));
    NodeTask longDetail = new NodeTask("n1", "task-worker", "FORWARD", "1.0", "2.0", "FAILED", 0, 0, 1, 3,
        "x".repeat(RolloutStore.MAX_DETAIL_CHARS + 1), null);
    refusedUnchanged("tasks[0].detail", () -> db.rollouts().update(r.id(), 1, Rollout.State.RUNNING, false,
        new byte[0], false, List.of(longDetail)));
    refusedUnchanged("tasks[1].host", () -> db.rollouts().update(r.id(), 1, Rollout.State.RUNNING, false,
        new byte[0], false, List.of(ok, task("d1", "task-worker", "FORWARD", "PENDING", 0, 1, 0))));
    refusedUnchanged("controller_state", () -> db.rollouts().update(r.id(), 1, Rollout.State.RUNNING, false, null,
        false, List.of()));
    // A detail of exactly the limit is kept whole.
    NodeTask fullDetail = new NodeTask("n1", "task-worker", "FORWARD", "1.0", "2.0", "FAILED", 0, 0, 1, 3,
        "x".repeat(RolloutStore.MAX_DETAIL_CHARS), null);
    db.rollouts().update(r.id(), 1, Rollout.State.RUNNING, false, new byte[0], false, List.of(fullDetail));
    assertThat(db.rollouts().tasks(r.id())).containsExactly(at(fullDetail, START));
  }

  // ---- what nodes report as installed

  @Test
  void nodesReportWhatTheyRun() {
    givenClusters();
    db.clusters().reportModules("prod", "n1", Map.of("task-worker", "1.0"));
    db.clusters().reportModules("prod", "n2", Map.of("task-worker", "2.0", "agent", "1.0"));
    db.clusters().reportModules("dev", "d1", Map.of("agent", "1.0"));
    assertThat(db.clusters().nodeModules("prod")).containsExactly(
        Map.entry("n1", Map.of("task-worker", "1.0")),
        Map.entry("n2", Map.of("agent", "1.0", "task-worker", "2.0")));

    // A report replaces the node's previous one.
    db.clusters().reportModules("prod", "n1", Map.of("task-worker", "2.0", "agent", "1.0"));
    db.clusters().reportModules("prod", "n2", Map.of());
    assertThat(db.clusters().nodeModules("prod"))
        .containsExactly(Map.entry("n1", Map.of("agent", "1.0", "task-worker", "2.0")));

    refusedUnchanged("versions[ghost]", () -> db.clusters().reportModules("prod", "n1", Map.of("ghost", "1.0")));
    refusedUnchanged("versions[task-worker]", () -> db.clusters().reportModules("prod", "n1",
        Map.of("agent", "1.0", "task-worker", "3.0")));
    assertThatThrownBy(() -> db.clusters().reportModules("prod", "n1", Map.of("task-worker", "3.0")))
        .isInstanceOf(NotFoundException.class);
    refusedUnchanged("versions", () -> db.clusters().reportModules("prod", "n1", Map.of("Bad Name", "1.0")));
    refusedUnchanged("host", () -> db.clusters().reportModules("prod", "n9", Map.of()));
    refusedUnchanged("cluster", () -> db.clusters().reportModules("qa", "n1", Map.of()));

    db.clusters().removeNode("prod", "n1");
    assertThat(db.clusters().nodeModules("prod")).isEmpty();
    assertThat(db.clusters().nodeModules("dev")).containsExactly(Map.entry("d1", Map.of("agent", "1.0")));
  }

  // ---- concurrency and reopening

  @Test
  void concurrentWritersStayConsistent() throws Exception {
    givenClusters();
    int rounds = 30;
    List<Callable<Void>> writers = new ArrayList<>();
    for (int w = 0; w < 2; w++) {
      String author = "writer-" + w;
      writers.add(() -> {
        for (int i = 0; i < rounds; i++) {
          // Both writers publish the same versions (one row each) and report the same installed modules.
          db.modules().publish("shared", "1." + i, sha((char) ('a' + i % 6)), i, "d" + i, author);
          db.clusters().reportModules("prod", "n" + (1 + i % 3), Map.of("shared", "1." + i));
          db.params().set("prod", author, "round " + i, List.of(
              ParamChange.set("task-worker", ParamScope.MODULE, "", author, Integer.toString(i))));
        }
        return null;
      });
    }
    runTogether(writers);

    assertThat(db.modules().versions("shared")).hasSize(rounds);
    assertThat(db.clusters().nodeModules("prod")).containsExactly(Map.entry("n1", Map.of("shared", "1.27")),
        Map.entry("n2", Map.of("shared", "1.28")), Map.entry("n3", Map.of("shared", "1.29")));
    assertThat(db.params().currentRevision("prod")).isEqualTo(2L * rounds);
    assertThat(db.params().history("prod")).extracting(ParamRevision::revision)
        .containsExactlyElementsOf(descending(2 * rounds));
    assertThat(values(db.params().values("prod", "task-worker"))).extracting(v -> v.replaceAll("@.*", ""))
        .containsExactly("MODULE//writer-0=" + (rounds - 1), "MODULE//writer-1=" + (rounds - 1));
  }

  @Test
  void reopeningKeepsTheDataAndMigratesNothingTwice() {
    givenClusters();
    db.params().set("prod", "alice", "r1", List.of(ParamChange.set("task-worker", ParamScope.MODULE, "", "a", "1")));
    long id = db.rollouts().create(upgrade(List.of(task("n1", "task-worker", "FORWARD", "PENDING", 0, 0, 0)))).id();
    db.rollouts().update(id, 1, Rollout.State.RUNNING, false, new byte[] {7}, false, List.of());
    db.clusters().reportModules("prod", "n1", Map.of("task-worker", "1.0"));
    String before = dump();
    List<String> history = migrationHistory();
    db.close();

    db = ConfigDatabase.open(settings, clock);
    assertThat(dump()).isEqualTo(before);
    assertThat(migrationHistory()).isEqualTo(history);
    assertThat(db.rollouts().active("prod").orElseThrow().controllerState()).containsExactly(7);
  }

  // ---- helpers

  private static String sha256(byte[] bytes) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
  }

  private byte[] readAll(String module, String version) throws IOException {
    try (InputStream in = db.modules().content(module, version)) {
      return in.readAllBytes();
    }
  }

  private List<Integer> chunkSizes(String version) {
    return db.jdbi().withHandle(h -> h.createQuery("SELECT OCTET_LENGTH(content) FROM package_chunks "
        + "WHERE version = :version ORDER BY seq").bind("version", version).mapTo(Integer.class).list());
  }

  /** Flyway's record of what it applied: version, description and success of each step. */
  private List<String> migrationHistory() {
    List<String> history = db.jdbi().withHandle(h -> h.createQuery("SELECT \"version\", \"description\", "
        + "\"success\" FROM \"flyway_schema_history\" ORDER BY \"installed_rank\"").mapToMap().list()).stream()
        .map(Object::toString).toList();
    assertThat(history).anySatisfy(row -> assertThat(row).contains("configuration database"));
    assertThat(history).anySatisfy(row -> assertThat(row).contains("rollouts per cluster"));
    assertThat(history).anySatisfy(row -> assertThat(row).contains("package chunks"));
    return history;
  }

  /** Clusters prod (n1, n2, n3) and dev (d1); task-worker 1.0 and 2.0, agent 1.0. */
  private void givenClusters() {
    db.clusters().addCluster("prod", "");
    db.clusters().addNode("prod", "n1", "r1", Set.of("large"));
    db.clusters().addNode("prod", "n2", "r1", Set.of("large", "small"));
    db.clusters().addNode("prod", "n3", "r2", Set.of("small"));
    db.clusters().addCluster("dev", "");
    db.clusters().addNode("dev", "d1", "r1", Set.of("large"));
    db.modules().publish("task-worker", "1.0", sha('1'), 100, "descriptor 1.0", "ops");
    db.modules().publish("task-worker", "2.0", sha('2'), 200, "descriptor 2.0", "ops");
    db.modules().publish("agent", "1.0", sha('3'), 300, "descriptor agent 1.0", "ops");
  }

  /** A running upgrade of prod's task-worker to 2.0 with these tasks. */
  private static NewRollout upgrade(List<NodeTask> tasks) {
    return new NewRollout("prod", Kind.UPGRADE, Map.of("task-worker", "2.0"), Set.of(), STRATEGY, "alice",
        Rollout.State.RUNNING, new byte[] {1}, tasks);
  }

  private static NewRollout withTargets(Map<String, String> targets) {
    return new NewRollout("prod", Kind.UPGRADE, targets, Set.of(), STRATEGY, "alice", Rollout.State.RUNNING,
        new byte[0], List.of());
  }

  /** A task of task-worker from 1.0 to 2.0 (or back) in 3 steps, as the driver writes it (no time). */
  private static NodeTask task(String host, String module, String purpose, String state, int phase, int batch,
      int stepsDone) {
    boolean back = purpose.equals("ROLLBACK");
    return new NodeTask(host, module, purpose, back ? "2.0" : "1.0", back ? "1.0" : "2.0", state, phase, batch,
        stepsDone, 3, "", null);
  }

  /** The task as stored: stamped {@code when}. */
  private static NodeTask at(NodeTask t, Instant when) {
    return new NodeTask(t.host(), t.module(), t.purpose(), t.fromVersion(), t.toVersion(), t.state(), t.phase(),
        t.batch(), t.stepsDone(), t.stepCount(), t.detail(), when);
  }

  /** An update to {@code state} is refused with IllegalStateException, and no row of any table changed. */
  private void refusedStateUnchanged(Rollout r, Rollout.State state, String message) {
    String before = dump();
    assertThatThrownBy(() -> db.rollouts().update(r.id(), r.rev(), state, false, new byte[0], false, List.of()))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining(message);
    assertThat(dump()).isEqualTo(before);
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
