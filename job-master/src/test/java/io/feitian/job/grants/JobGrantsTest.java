package io.feitian.job.grants;

import static io.feitian.job.grants.JobGrants.ADOPT_GIVE_UP_MS;
import static io.feitian.job.grants.JobGrants.ADOPT_WAIT_MS;
import static io.feitian.job.grants.JobGrants.MAX_LAUNCH_FAILURES;
import static io.feitian.job.grants.JobGrants.UNREACHABLE_AVOID_MS;
import static org.assertj.core.api.Assertions.assertThat;

import io.feitian.job.grants.Effect.AdjustDemand;
import io.feitian.job.grants.Effect.AskForWorkers;
import io.feitian.job.grants.Effect.Decline;
import io.feitian.job.grants.Effect.DropRevoked;
import io.feitian.job.grants.Effect.FailJob;
import io.feitian.job.grants.Effect.Launch;
import io.feitian.job.grants.Effect.NodeLost;
import io.feitian.job.grants.Effect.RefuseWorker;
import io.feitian.job.grants.Effect.ResumeWork;
import io.feitian.job.grants.Effect.ReturnGrant;
import io.feitian.job.grants.Effect.WakeAt;
import io.feitian.proto.fuxi.v1.Grant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class JobGrantsTest {
  static final long T0 = 1_000_000;

  /** Grant {@code id} of {@code task} on node {@code node} (task-worker at {@code node:7000}). */
  static Grant grant(long id, String task, String node) {
    return Grant.newBuilder().setGrantId(id).setUnit(task).setNodeId(node).setNodeAddress(node + ":7000").build();
  }

  static JobGrants book() {
    return new JobGrants(List.of("map", "reduce"));
  }

  @Test
  void aClaimedGrantsWorkerSaysHelloAndTheHoldEndsWhenAllAreBack() {
    JobGrants book = book();
    List<Effect> start = book.start(List.of(grant(1, "map", "n1"), grant(2, "map", "n2")), T0);

    assertThat(start).containsExactly(new AskForWorkers("n1:7000"), new AskForWorkers("n2:7000"),
        new WakeAt(T0 + ADOPT_WAIT_MS));
    assertThat(book.holdsNewWork(T0)).isTrue();
    assertThat(book.heldFor("map")).isEqualTo(2);

    assertThat(book.hello(1, "map")).isEmpty();
    assertThat(book.holdsNewWork(T0 + 100)).isTrue();
    assertThat(book.hello(2, "map")).containsExactly(new ResumeWork());
    assertThat(book.holdsNewWork(T0 + 100)).isFalse();
    assertThat(book.hello(2, "map")).as("a duplicated hello changes nothing").isEmpty();
    assertThat(book.tick(T0 + ADOPT_WAIT_MS)).as("the hold ended once").isEmpty();
    assertThat(book.heldFor("map")).isEqualTo(2);
  }

  @Test
  void theHoldEndsAfterTheWaitEvenIfWorkersAreMissing() {
    JobGrants book = book();
    book.start(List.of(grant(1, "map", "n1")), T0);

    assertThat(book.tick(T0 + ADOPT_WAIT_MS - 1)).as("an early wake-up asks again")
        .containsExactly(new WakeAt(T0 + ADOPT_WAIT_MS));
    assertThat(book.tick(T0 + ADOPT_WAIT_MS)).containsExactly(new ResumeWork(), new WakeAt(T0 + ADOPT_GIVE_UP_MS));
    assertThat(book.holdsNewWork(T0 + ADOPT_WAIT_MS)).isFalse();
    assertThat(book.awaitingHello()).containsExactly(1L);
  }

  @Test
  void aGrantWhoseNodeListsNoWorkerIsReturnedAtOnce() {
    JobGrants book = book();
    book.start(List.of(grant(1, "map", "n1"), grant(2, "reduce", "n1"), grant(3, "map", "n2")), T0);

    assertThat(book.workersListed("n1:7000", Set.of(2L)))
        .containsExactly(new ReturnGrant(1, "claimed, but its node runs no worker in it"), new AdjustDemand("map"));
    assertThat(book.holds(1)).isFalse();
    assertThat(book.awaitingHello()).containsExactlyInAnyOrder(2L, 3L);

    assertThat(book.hello(2, "reduce")).isEmpty();
    assertThat(book.workersListed("n2:7000", Set.of())).as("the last one awaited ends the hold")
        .containsExactly(new ReturnGrant(3, "claimed, but its node runs no worker in it"), new ResumeWork(),
            new AdjustDemand("map"));
    assertThat(book.holdsNewWork(T0 + 1)).isFalse();
  }

  @Test
  void aClaimedGrantWhoseWorkerDoesNotComeBackIsGivenUpAfter15s() {
    JobGrants book = book();
    book.start(List.of(grant(1, "map", "n1"), grant(2, "reduce", "n2")), T0);
    book.hello(2, "reduce");
    book.tick(T0 + ADOPT_WAIT_MS);

    assertThat(book.tick(T0 + ADOPT_GIVE_UP_MS - 1)).containsExactly(new WakeAt(T0 + ADOPT_GIVE_UP_MS));
    assertThat(book.holds(1)).isTrue();
    assertThat(book.tick(T0 + ADOPT_GIVE_UP_MS)).containsExactly(
        new ReturnGrant(1, "claimed, but its worker did not come back"), new AdjustDemand("map"));
    assertThat(book.holds(1)).isFalse();
    assertThat(book.holds(2)).as("a worker that came back keeps its grant").isTrue();
    assertThat(book.hello(1, "map")).as("a worker that comes back too late is refused")
        .containsExactly(new RefuseWorker("grant 1 is not held for task 'map'"));
  }

  @Test
  void aHelloForAGrantNotHeldIsRefused() {
    JobGrants book = book();
    book.granted(grant(7, "map", "n1"), true, Set.of(), T0);

    assertThat(book.hello(8, "map")).containsExactly(new RefuseWorker("grant 8 is not held for task 'map'"));
    assertThat(book.hello(7, "reduce")).as("held, but for another task")
        .containsExactly(new RefuseWorker("grant 7 is not held for task 'reduce'"));
    assertThat(book.hello(7, "map")).isEmpty();
    book.workerEnded(7);
    assertThat(book.hello(7, "map")).as("returned")
        .containsExactly(new RefuseWorker("grant 7 is not held for task 'map'"));
  }

  @Test
  void anUnreachableNodeIsAvoidedFor30sThenAskedAgain() {
    JobGrants book = book();
    Grant g = grant(1, "map", "n1");
    book.granted(g, true, Set.of(), T0);

    assertThat(book.launchFailed(g, true, "UNAVAILABLE", T0)).containsExactly(
        new ReturnGrant(1, "its worker could not be started"), new AdjustDemand("map"));
    assertThat(book.unreachableNodes(T0 + UNREACHABLE_AVOID_MS)).containsExactly("n1");
    assertThat(book.granted(grant(2, "map", "n1"), true, Set.of(), T0 + UNREACHABLE_AVOID_MS)).containsExactly(
        new Decline(2, "node n1's task-worker could not be reached lately"), new AdjustDemand("map"));

    assertThat(book.unreachableNodes(T0 + UNREACHABLE_AVOID_MS + 1)).isEmpty();
    assertThat(book.granted(grant(3, "map", "n1"), true, Set.of(), T0 + UNREACHABLE_AVOID_MS + 1))
        .containsExactly(new Launch(grant(3, "map", "n1")));
  }

  @Test
  void tooManyLaunchFailuresFailTheJobButUnreachableNodesDoNotCount() {
    JobGrants book = book();
    for (int i = 1; i <= MAX_LAUNCH_FAILURES; i++) {
      Grant g = grant(i, "map", "n" + i);
      book.granted(g, true, Set.of(), T0);
      assertThat(book.launchFailed(g, false, "refused", T0)).doesNotHaveAnyElementsOfTypes(FailJob.class);
      assertThat(book.launchFailed(grant(100 + i, "map", "dead"), true, "UNAVAILABLE", T0))
          .doesNotHaveAnyElementsOfTypes(FailJob.class);
    }
    Grant last = grant(99, "map", "n99");
    book.granted(last, true, Set.of(), T0);

    assertThat(book.launchFailed(last, false, "disk full", T0)).containsExactly(
        new ReturnGrant(99, "its worker could not be started"),
        new FailJob("could not start Task Workers 21 times; last on n99: disk full"));
  }

  @Test
  void aGrantIsDeclinedWhenItsTaskWantsNoneOrItsNodeIsAvoided() {
    JobGrants book = book();

    assertThat(book.granted(grant(1, "other", "n1"), true, Set.of(), T0))
        .containsExactly(new Decline(1, "unit 'other' is not a task of this job"));
    assertThat(book.granted(grant(2, "map", "n1"), false, Set.of(), T0))
        .containsExactly(new Decline(2, "task map wants no more workers"), new AdjustDemand("map"));
    assertThat(book.granted(grant(3, "map", "n1"), true, Set.of("n1"), T0))
        .containsExactly(new Decline(3, "node n1 is avoided for task map"), new AdjustDemand("map"));
    assertThat(book.held()).isEmpty();
    assertThat(book.nodesUsed()).isEmpty();
  }

  @Test
  void aRevokedGrantEndsItsWorkerAndALostNodesOutputsAreMadeAgain() {
    JobGrants book = book();
    book.start(List.of(grant(1, "map", "n1"), grant(2, "reduce", "n2")), T0);
    book.hello(2, "reduce");

    assertThat(book.revoked(1, true, "node n1 lost")).as("the last one awaited, so the hold ends too")
        .containsExactly(new NodeLost("n1:7000", "node n1 lost"), new DropRevoked(1, true, "node n1 lost"),
            new ResumeWork(), new AdjustDemand("map"));
    assertThat(book.revoked(2, false, "preempted"))
        .containsExactly(new DropRevoked(2, false, "preempted"), new AdjustDemand("reduce"));
    assertThat(book.revoked(2, false, "again")).as("a revocation of a grant not held").isEmpty();
    assertThat(book.heldFor("map")).isZero();
  }

  @Test
  void theEndReturnsEveryGrantAndTheNodesUsedAreKept() {
    JobGrants book = book();
    book.start(List.of(grant(1, "map", "n1")), T0);
    book.granted(grant(2, "reduce", "n2"), true, Set.of(), T0);

    assertThat(book.endAll()).containsExactly(1L, 2L);
    assertThat(book.held()).isEmpty();
    assertThat(book.holdsNewWork(T0)).isFalse();
    assertThat(book.tick(T0 + ADOPT_GIVE_UP_MS)).isEmpty();
    assertThat(book.nodesUsed()).containsExactly("n1:7000", "n2:7000");
  }

  @Test
  void aMasterWithNothingClaimedHoldsNothingBack() {
    JobGrants book = book();

    assertThat(book.start(List.of(grant(1, "other", "n1")), T0)).isEmpty();
    assertThat(book.holdsNewWork(T0)).isFalse();
    assertThat(book.held()).as("a unit that is not a task is not claimed").isEmpty();
  }
}
