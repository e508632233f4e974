package io.feitian.fuxi.master.membership;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class NodeLivenessTest {
  @Test
  void aNodeIsLostOnlyAfterItsSilenceExceedsTheTimeoutAndOnlyOnce() {
    NodeLiveness l = new NodeLiveness(1000);
    l.heard("a", 0);
    l.heard("b", 500);
    assertThat(l.expire(1000)).isEmpty(); // exactly the timeout is not yet too long
    assertThat(l.expire(1001)).containsExactly("a");
    l.heard("b", 1400);
    assertThat(l.expire(2000)).isEmpty();
    assertThat(l.expire(2401)).containsExactly("b");
    assertThat(l.expire(10_000)).isEmpty();
    l.heard("a", 10_000); // heard again: tracked again
    assertThat(l.expire(11_001)).containsExactly("a");
  }

  @Test
  void expiredNodesComeBackSorted() {
    NodeLiveness l = new NodeLiveness(10);
    l.heard("c", 0);
    l.heard("a", 0);
    l.heard("b", 0);
    assertThat(l.expire(100)).containsExactly("a", "b", "c");
    assertThatThrownBy(() -> new NodeLiveness(0)).hasMessageContaining("positive");
  }
}
