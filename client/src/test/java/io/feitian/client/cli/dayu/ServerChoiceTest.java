package io.feitian.client.cli.dayu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.feitian.client.cli.dayu.ServerChoice.Next;
import io.feitian.common.grpc.LeaderHint;
import io.grpc.Status;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ServerChoiceTest {
  private static final Status DOWN = Status.UNAVAILABLE.withDescription("io exception");

  private static Status standbyNaming(String leader) {
    return LeaderHint.notLeader(Optional.of(leader));
  }

  @Test
  void aStandbysHintIsFollowedOnce() {
    ServerChoice c = new ServerChoice("b:1");
    assertThat(c.first()).isEqualTo("b:1");

    assertThat(c.after("b:1", standbyNaming("a:1")))
        .contains(new Next("a:1", "dayu-server b:1 is a standby; asking the leader it names, a:1"));
    // a:1 was a standby too by now (another failover): no second hop, the refusal is the command's.
    assertThat(c.after("a:1", standbyNaming("c:1"))).isEmpty();
  }

  @Test
  void unavailableServersOfTheListAreEachTriedOnceInOrder() {
    ServerChoice c = new ServerChoice("a:1, b:1,c:1");
    assertThat(c.first()).isEqualTo("a:1");

    assertThat(c.after("a:1", DOWN)).contains(new Next("b:1", "dayu-server a:1 is unavailable (io exception); asking b:1"));
    assertThat(c.after("b:1", standbyNaming("a:1")).map(Next::address)).as("a:1 named, but asked already: the hint"
        + " is followed even so, once").contains("a:1");
    assertThat(c.after("a:1", DOWN).map(Next::address)).contains("c:1");
    assertThat(c.after("c:1", DOWN)).isEmpty();
  }

  @Test
  void aServerThatNamesItselfOrNoLeaderIsPassedLikeAnUnavailableOne() {
    ServerChoice c = new ServerChoice("a:1,b:1");
    c.first();
    assertThat(c.after("a:1", standbyNaming("a:1")).map(Next::address)).contains("b:1");
    ServerChoice alone = new ServerChoice("a:1");
    alone.first();
    assertThat(alone.after("a:1", LeaderHint.notLeader(Optional.empty()))).isEmpty();
  }

  @Test
  void anAnswerOtherThanUnavailableEndsTheCommand() {
    ServerChoice c = new ServerChoice("a:1,b:1");
    c.first();
    assertThat(c.after("a:1", Status.NOT_FOUND.withDescription("cluster: no cluster"))).isEmpty();
    assertThat(c.after("a:1", Status.DEADLINE_EXCEEDED)).isEmpty();
  }

  @Test
  void anEmptyAddressIsRefused() {
    assertThatThrownBy(() -> new ServerChoice("a:1,,b:1")).hasMessage("--server: an empty address in \"a:1,,b:1\"");
    assertThatThrownBy(() -> new ServerChoice("")).hasMessageContaining("empty address");
  }
}
