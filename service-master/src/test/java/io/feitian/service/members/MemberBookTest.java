package io.feitian.service.members;

import static io.feitian.service.members.Messages.grant;
import static io.feitian.service.members.Messages.grantAskedOn;
import static io.feitian.service.members.Messages.only;
import static io.feitian.service.members.Messages.registration;
import static io.feitian.service.members.Messages.returned;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.feitian.proto.fuxi.v1.Grant;
import io.feitian.service.members.Effect.Ask;
import io.feitian.service.members.Effect.Drain;
import io.feitian.service.members.Effect.Launch;
import io.feitian.service.members.Effect.Tell;
import io.feitian.service.partition.Partition;
import io.feitian.service.partition.PartitionState;
import io.feitian.service.partition.PartitionTable;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The member book's decisions, one scenario each, with the time passed in. */
class MemberBookTest {
  private static final long DELAY = 5_000;
  private static final List<Placement.Node> NODES = List.of(new Placement.Node("a1", "rack-a"),
      new Placement.Node("a2", "rack-a"), new Placement.Node("a3", "rack-a"), new Placement.Node("b1", "rack-b"));

  /** A service with one unpartitioned role, {@code web}. */
  private static MemberBook web(int wanted, int maxPerNode, int maxPerRack) {
    MemberBook book = new MemberBook("svc", List.of(new Role("web", maxPerNode, maxPerRack)), Map.of("web", wanted),
        null);
    book.nodesAre(NODES);
    return book;
  }

  /** A service whose role {@code store} serves 4 partitions. */
  private static MemberBook store(int wanted, PartitionTable table) {
    return new MemberBook("svc", List.of(new Role("store", 0, 0)), Map.of("store", wanted),
        new MemberBook.Partitioning("store", table, DELAY, 8));
  }

  /** The workers answer every partition action at once; returns all effects, theirs included. */
  private static List<Effect> answered(MemberBook book, List<Effect> effects) {
    List<Effect> all = new ArrayList<>(effects);
    for (int i = 0; i < all.size(); i++) {
      if (all.get(i) instanceof Tell t) {
        all.addAll(book.moveDone(t.action()));
      }
    }
    return all;
  }

  /** Grants {@code count} workers of {@code store} on nodes n1.., registers them as w1.., and lets them load. */
  private static List<Grant> running(MemberBook book, int count) {
    List<Grant> grants = new ArrayList<>();
    for (int i = 1; i <= count; i++) {
      Grant g = grant(i, "store", "n" + i);
      assertThat(only(Launch.class, book.granted(g, 0))).hasSize(1);
      answered(book, book.workerRegistered(registration("w" + i, g)));
      grants.add(g);
    }
    answered(book, book.workersListed(0));
    return grants;
  }

  @Test
  void scaleUpAsksForWorkersWithinPlacementLimits() {
    MemberBook book = web(0, 1, 2);
    List<Ask> asks = only(Ask.class, book.scale("web", 5));
    // One per node, at most two on rack-a: a1..a3 offer room for two, b1 for one.
    assertThat(asks).allSatisfy(a -> assertThat(a.delta()).isEqualTo(1));
    assertThat(asks).extracting(Ask::node).doesNotHaveDuplicates().contains("b1").hasSize(3);
    assertThat(asks.stream().filter(a -> a.node().startsWith("a"))).hasSize(2);
    assertThat(only(Ask.class, book.tick(1_000))).as("what was asked is not asked again").isEmpty();

    Ask first = asks.get(0);
    List<Effect> granted = book.granted(grantAskedOn(1, "web", first.node()), 2_000);
    assertThat(only(Launch.class, granted)).hasSize(1);
    assertThat(book.asked("web")).doesNotContainKey(first.node()).hasSize(2);
  }

  @Test
  void aGrantBeyondWhatARoleWantsIsReturned() {
    MemberBook book = web(1, 0, 0);
    assertThat(book.tick(0)).containsExactly(new Ask("web", "", 1));
    assertThat(only(Launch.class, book.granted(grant(1, "web", "a1"), 0))).hasSize(1);

    List<Effect> second = book.granted(grant(2, "web", "a2"), 0);
    assertThat(returned(second)).containsExactly(2L);
    assertThat(only(Launch.class, second)).isEmpty();
    assertThat(book.held()).extracting(Grant::getGrantId).containsExactly(1L);
    assertThat(book.asked("web")).isEmpty();
  }

  @Test
  void aGrantThatDoesNotFitTheRoleIsReturned() {
    MemberBook book = web(3, 1, 0);
    book.granted(grant(1, "web", "a1"), 0);
    assertThat(returned(book.granted(grant(2, "web", "a1"), 0))).as("a second worker on a1").containsExactly(2L);
    assertThat(returned(book.granted(grant(3, "batch", "a2"), 0))).as("not a role of the service")
        .containsExactly(3L);
    MemberBook perRack = web(3, 0, 1);
    perRack.granted(grant(4, "web", "a1"), 0);
    assertThat(returned(perRack.granted(grant(5, "web", "a2"), 0))).as("a second worker on rack-a")
        .containsExactly(5L);
    assertThat(returned(perRack.granted(grant(6, "web", "b1"), 0))).isEmpty();
  }

  @Test
  void aWorkerThatDiesIsReplaced() {
    MemberBook book = web(1, 0, 0);
    book.tick(0);
    Grant g = grant(1, "web", "a1");
    book.granted(g, 0);
    book.workerRegistered(registration("w1", g));

    List<Effect> lost = book.workerLost("w1", 1_000);
    assertThat(lost).containsExactly(new Effect.CheckWorker(g, "w1"));
    List<Effect> ended = book.processEnded(1, "its node runs it no more", 1_100);
    assertThat(returned(ended)).containsExactly(1L);
    assertThat(ended).contains(new Effect.ForgetGrant(1), new Effect.UnwatchNode("a1:7000"));
    assertThat(book.workers()).isEmpty();
    assertThat(book.tick(2_000)).containsExactly(new Ask("web", "", 1));
    assertThat(book.processEnded(1, "reported twice", 2_100)).as("a grant already returned").isEmpty();
  }

  @Test
  void aWorkerThatNeverRegistersIsReplaced() {
    MemberBook book = web(1, 0, 0);
    book.tick(0);
    book.granted(grant(1, "web", "a1"), 0);
    assertThat(returned(book.tick(MemberBook.REGISTER_TIMEOUT_MS))).isEmpty();
    List<Effect> late = book.tick(MemberBook.REGISTER_TIMEOUT_MS + 1);
    assertThat(returned(late)).containsExactly(1L);
    assertThat(late).contains(new Ask("web", "", 1));
    assertThat(book.workerRegistered(registration("w1", grant(1, "web", "a1")))).as("too late").isEmpty();
    assertThat(book.workers()).isEmpty();
  }

  @Test
  void claimedGrantsKeepTheirWorkersAndThoseThatDoNotComeBackAreReturned() {
    MemberBook book = web(2, 0, 0);
    Grant adopted = grant(1, "web", "a1");
    Grant empty = grant(2, "web", "a2");
    assertThat(book.claim(List.of(adopted, empty), 0))
        .containsExactly(new Effect.WatchNode("a1:7000"), new Effect.WatchNode("a2:7000"));
    book.workerRegistered(registration("w1", adopted));
    assertThat(book.workersListed(1_000)).as("nothing to ask: both grants are held").isEmpty();
    List<Effect> late = book.tick(MemberBook.REGISTER_TIMEOUT_MS + 1);
    assertThat(returned(late)).containsExactly(2L);
    assertThat(late).contains(new Ask("web", "", 1));
    assertThat(book.workers()).extracting(w -> w.record().getWorkerId()).containsExactly("w1");
  }

  @Test
  void aRevokedGrantsWorkerIsForgottenAndReplaced() {
    PartitionTable table = PartitionTable.evenly(4);
    MemberBook book = store(2, table);
    List<Grant> grants = running(book, 2);
    assertThat(table.load("w1")).isEqualTo(2);

    List<Effect> revoked = book.revoked(grants.get(0).getGrantId(), 1_000);
    assertThat(returned(revoked)).as("Fuxi took it: nothing to return").isEmpty();
    assertThat(revoked).contains(new Effect.ForgetGrant(1), new Effect.UnwatchNode("n1:7000"));
    assertThat(book.workers()).extracting(w -> w.record().getWorkerId()).containsExactly("w2");
    assertThat(book.workerLost("w1", 1_100)).as("its session ending is old news").isEmpty();
    assertThat(book.tick(1_200)).contains(new Ask("store", "", 1));

    // Its partitions wait out the delay (it may still serve until its lease ends), then move to w2.
    assertThat(table.load("w1")).isEqualTo(2);
    List<Effect> expired = answered(book, book.tick(1_000 + DELAY));
    assertThat(only(Tell.class, expired)).extracting(t -> t.action().worker()).containsOnly("w2");
    assertThat(table.load("w2")).isEqualTo(4);
  }

  @Test
  void aLostWorkerThatComesBackKeepsItsPartitions() {
    PartitionTable table = PartitionTable.evenly(4);
    MemberBook book = store(2, table);
    List<Grant> grants = running(book, 2);
    book.workerLost("w1", 1_000);
    assertThat(book.workers()).filteredOn(MemberBook.Worker::lost).hasSize(1);
    assertThat(only(Tell.class, book.tick(2_000))).as("nothing moves within the delay").isEmpty();
    book.workerRegistered(registration("w1", grants.get(0)));
    assertThat(book.tick(1_000 + DELAY)).isEmpty();
    assertThat(table.load("w1")).isEqualTo(2);
  }

  @Test
  void scaleDownWithdrawsAsksFirst() {
    MemberBook book = web(3, 0, 0);
    book.tick(0);
    book.granted(grant(1, "web", "a1"), 0);
    List<Effect> scaled = book.scale("web", 1);
    assertThat(scaled).containsExactly(new Ask("web", "", -2));
    assertThat(book.asked("web")).isEmpty();
  }

  @Test
  void scaleDownDrainsTheRightWorkers() {
    PartitionTable table = PartitionTable.evenly(4);
    MemberBook book = store(3, table);
    List<Grant> grants = running(book, 3);
    Grant starting = grant(4, "store", "n4");
    book.scale("store", 4);
    book.granted(starting, 0);
    // w1 has two partitions, w2 and w3 one each; the fourth worker has not registered.
    assertThat(table.load("w1")).isEqualTo(2);

    List<Effect> scaled = book.scale("store", 2);
    assertThat(only(Drain.class, scaled)).as("the unstarted worker first, then one owning the fewest")
        .containsExactly(new Drain(starting, ""), new Drain(grants.get(1), "w2"));
    assertThat(book.draining()).containsExactly(grants.get(1), starting);

    // w2's partition moves first (unload, then load elsewhere); its grant is returned once it owns nothing.
    List<Effect> moved = answered(book, scaled);
    assertThat(only(Tell.class, moved)).extracting(t -> t.action().getClass().getSimpleName())
        .containsExactly("Unload", "Load");
    assertThat(table.load("w2")).isZero();
    List<Effect> tick = book.tick(1_000);
    assertThat(returned(tick)).containsExactlyInAnyOrder(2L, 4L);
    assertThat(only(Ask.class, tick)).isEmpty();
    assertThat(table.partitions()).extracting(Partition::state).containsOnly(PartitionState.SERVING);
  }

  /** Found by the property test: returning the grant before the unload was confirmed left the partition stuck. */
  @Test
  void aDrainingWorkerKeepsItsGrantUntilItsUnloadIsConfirmed() {
    PartitionTable table = PartitionTable.evenly(2);
    MemberBook book = store(2, table);
    running(book, 2);
    List<Tell> unload = only(Tell.class, book.scale("store", 1));
    assertThat(unload).singleElement().satisfies(t -> assertThat(t.action().worker()).isEqualTo("w1"));
    assertThat(table.load("w1")).as("what it is unloading no longer counts as its load").isZero();
    assertThat(returned(book.tick(1_000))).as("the unload is not confirmed yet").isEmpty();

    book.moveFailed(unload.get(0).action());
    List<Effect> resent = book.tick(2_000);
    assertThat(returned(resent)).isEmpty();
    answered(book, resent); // confirmed this time
    assertThat(returned(book.tick(3_000))).containsExactly(1L);
    assertThat(table.partitions()).extracting(Partition::owner).containsOnly("w2");
  }

  @Test
  void partitionMovesGoOnlyToLiveWorkersOneCallAtATime() {
    PartitionTable table = PartitionTable.evenly(4);
    MemberBook book = store(2, table);
    running(book, 2);
    String p = table.partitions().stream().filter(x -> x.owner().equals("w1")).findFirst().orElseThrow().id();
    List<Tell> migrate = only(Tell.class, book.migratePartition(p, "w2"));
    assertThat(migrate).singleElement().satisfies(t -> assertThat(t.endpoint()).isEqualTo("w1:9000"));
    assertThat(only(Tell.class, book.tick(100))).as("a call is in flight").extracting(t -> t.action().partition())
        .doesNotContain(p);
    book.moveFailed(migrate.get(0).action());
    assertThat(only(Tell.class, book.tick(200))).as("sent again").extracting(Tell::action)
        .contains(migrate.get(0).action());
    assertThatThrownBy(() -> book.migratePartition(p, "w9")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not a live worker of role store");
  }

  @Test
  void scaleRefusesUnknownRolesAndBadCounts() {
    MemberBook book = store(1, PartitionTable.evenly(1));
    assertThatThrownBy(() -> book.scale("web", 1)).hasMessage("role 'web' is not a role of svc [store]");
    assertThatThrownBy(() -> book.scale("store", 0)).hasMessageContaining("between 1 and");
    assertThatThrownBy(() -> web(1, 0, 0).loadPartition("p-0", "")).hasMessage("service svc has no partitions");
  }
}
