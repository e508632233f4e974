package io.feitian.fuxi.master.recovery;

import static org.assertj.core.api.Assertions.assertThat;

import io.feitian.common.resource.ResourceVector;
import io.feitian.fuxi.master.scheduler.Grant;
import io.feitian.fuxi.master.scheduler.LocalityLevel;
import io.feitian.fuxi.master.scheduler.Scheduler;
import io.feitian.testkit.PureCore;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The failover cases one at a time; {@link GrantRecoveryPropertyTest} mixes them at random. */
class GrantRecoveryTest {
  private static final long WINDOW = 5_000;
  private static final long NODE_TIMEOUT = 3_000;
  private static final ResourceVector TOTAL = ResourceVector.of(4000, 4096);
  private static final ResourceVector UNIT = ResourceVector.of(1000, 1024);

  Scheduler books;
  GrantRecovery recovery;

  @BeforeEach
  void newTerm() {
    books = new Scheduler(2L << 40);
    books.addApp("a", "default");
    recovery = new GrantRecovery(books, 0, WINDOW, NODE_TIMEOUT);
  }

  static Grant grant(long id, String app, String node) {
    return new Grant(id, app, "u", node, UNIT, 0, LocalityLevel.CLUSTER, "");
  }

  @Test
  void aNodeSlowToComeBackKeepsTheWorkItsMasterClaims() {
    Grant g = grant(7, "a", "n1");
    var attached = recovery.attach("a", List.of(g), 100);
    assertThat(attached.rejected()).isEmpty();
    assertThat(recovery.parkedClaimCount()).isEqualTo(1);

    // 6.8 s after the election: past the recovery window, within one node timeout more.
    var registered = recovery.register("n1", "r0", TOTAL, List.of(g));
    assertThat(registered.revoked()).isEmpty();
    assertThat(books.grant(7)).contains(g);
    assertThat(recovery.expireParkedClaims(6_800 + NODE_TIMEOUT)).isEmpty();
  }

  @Test
  void aGrantTheNodeRunsButTheMasterDoesNotClaimIsTakenBack() {
    recovery.register("n1", "r0", TOTAL, List.of(grant(7, "a", "n1"), grant(8, "a", "n1")));
    var attached = recovery.attach("a", List.of(grant(7, "a", "n1")), 100);
    assertThat(attached.unclaimed()).extracting(Grant::grantId).containsExactly(8L);
    assertThat(books.grantsOf("a")).extracting(Grant::grantId).containsExactly(7L);

    // Once the master has attached, a node's unclaimed report is refused at once.
    var late = recovery.register("n2", "r0", TOTAL, List.of(grant(9, "a", "n2")));
    assertThat(late.revoked()).containsExactly(9L);
  }

  @Test
  void theApplicationsOwnMasterGrantIsKeptFromTheNodesReportAlone() {
    Grant master = new Grant(5, "a", GrantRecovery.MASTER_UNIT, "n1", ResourceVector.of(100, 128), 0,
        LocalityLevel.CLUSTER, "");
    recovery.attach("a", List.of(), 100);
    var registered = recovery.register("n1", "r0", TOTAL, List.of(master));
    assertThat(registered.revoked()).isEmpty();
    assertThat(books.grant(5)).isPresent();
  }

  @Test
  void aClaimOnANodeLostInThisTermIsRefusedAndItsReportStaysRevoked() {
    Grant g = grant(7, "a", "n1");
    recovery.register("n1", "r0", TOTAL, List.of(g));
    assertThat(recovery.nodeLost("n1").released()).containsExactly(g);

    assertThat(recovery.attach("a", List.of(g), 100).rejected()).containsExactly(7L);
    assertThat(recovery.register("n1", "r0", TOTAL, List.of(g)).revoked()).containsExactly(7L);
    assertThat(books.grantsOf("a")).isEmpty();
  }

  @Test
  void claimsParkedForANodeThatNeverComesBackAreLostWhenUnseenNodesMayNoLongerReturn() {
    recovery.attach("a", List.of(grant(7, "a", "n1")), 100);
    assertThat(recovery.expireParkedClaims(WINDOW + NODE_TIMEOUT - 1)).isEmpty();
    assertThat(recovery.expireParkedClaims(WINDOW + NODE_TIMEOUT)).isEqualTo(Map.of("n1", Map.of("a", List.of(7L))));
    assertThat(recovery.parkedClaimCount()).isZero();
    // Claims made after that are refused outright.
    assertThat(recovery.attach("a", List.of(grant(7, "a", "n1")), WINDOW + NODE_TIMEOUT).rejected())
        .containsExactly(7L);
  }

  @Test
  void aParkedClaimTheMasterGaveBackIsNotRestoredByTheNodesReport() {
    recovery.attach("a", List.of(grant(7, "a", "n1")), 100);
    recovery.claimsReturned("a", List.of(7L));
    assertThat(recovery.register("n1", "r0", TOTAL, List.of(grant(7, "a", "n1"))).revoked()).containsExactly(7L);
  }

  @Test
  void aMasterAttachingAgainReplacesTheClaimsItParkedBefore() {
    recovery.attach("a", List.of(grant(7, "a", "n1"), grant(8, "a", "n1")), 100);
    recovery.attach("a", List.of(grant(8, "a", "n1")), 200);
    var registered = recovery.register("n1", "r0", TOTAL, List.of(grant(7, "a", "n1"), grant(8, "a", "n1")));
    assertThat(registered.revoked()).containsExactly(7L);
    assertThat(books.grantsOf("a")).extracting(Grant::grantId).containsExactly(8L);
  }

  @Test
  void aNodeRegisteringAgainIsToldTheBooks() {
    recovery.register("n1", "r0", TOTAL, List.of(grant(7, "a", "n1"), grant(8, "a", "n1")));
    var again = recovery.register("n1", "r0", TOTAL, List.of(grant(8, "a", "n1"), grant(99, "a", "n1")));
    assertThat(again.revoked()).containsExactly(99L);
    assertThat(again.announced()).extracting(Grant::grantId).containsExactly(7L);
  }

  @Test
  void aReportOfAnEndedApplicationIsRevoked() {
    recovery.attach("a", List.of(grant(7, "a", "n1")), 100);
    books.removeApp("a");
    recovery.appEnded("a");
    assertThat(recovery.parkedClaimCount()).isZero();
    assertThat(recovery.register("n1", "r0", TOTAL, List.of(grant(7, "a", "n1"))).revoked()).containsExactly(7L);
  }

  @Test
  void theRecoveryIsAPureCore() {
    PureCore.check("io.feitian.fuxi.master.recovery", "GrantRecovery",
        "failover reconciliation is decided by a plain object; the term sends its decisions",
        "io.feitian.proto..", "java.io..", "java.nio..", "java.net..");
  }
}
