package io.feitian.dayu.p2p;

import static org.assertj.core.api.Assertions.assertThat;

import io.feitian.dayu.p2p.Tracker.Holding;
import io.feitian.dayu.p2p.Tracker.PackageId;
import io.feitian.dayu.p2p.Tracker.Peer;
import java.util.BitSet;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class TrackerTest {
  private static final PackageId APP = new PackageId("app", "1.0.0");
  private static final PackageId OTHER = new PackageId("app", "2.0.0");

  private static BitSet bits(int... pieces) {
    BitSet b = new BitSet();
    for (int p : pieces) {
      b.set(p);
    }
    return b;
  }

  private static Peer peer(String name, String rack) {
    return new Peer(name + ":7401", name, rack);
  }

  private static List<String> names(List<Holding> hs) {
    return hs.stream().map(h -> h.peer().host()).toList();
  }

  @Test
  void sameRackFirstNeverTheAskerBounded() {
    Tracker t = new Tracker(10_000, 3, new Random(1));
    t.announce(0, APP, peer("a1", "a"), bits(0));
    t.announce(0, APP, peer("b1", "b"), bits(1));
    t.announce(0, APP, peer("b2", "b"), bits(2));
    t.announce(0, APP, peer("a2", "a"), bits(0, 1));
    t.announce(0, APP, peer("me", "a"), bits(3));
    t.announce(0, OTHER, peer("c1", "c"), bits(0));
    List<Holding> got = t.peers(1, APP, "me:7401", "a");
    assertThat(got).hasSize(3);
    assertThat(names(got).subList(0, 2)).containsExactlyInAnyOrder("a1", "a2");
    assertThat(names(got).get(2)).isIn("b1", "b2");
    assertThat(names(got)).doesNotContain("me", "c1");
    assertThat(got.stream().filter(h -> h.peer().host().equals("a2")).findFirst().orElseThrow().pieces())
        .isEqualTo(bits(0, 1));
  }

  @Test
  void answersOnlyWhatTheAskerLacks() {
    Tracker t = new Tracker(10_000, 1, new Random(4));
    t.announce(0, APP, peer("me", "a"), bits(0, 1));
    t.announce(0, APP, peer("a1", "a"), bits(0, 1)); // nothing the asker lacks: not named, takes no place
    t.announce(0, APP, peer("b1", "b"), bits(1, 2, 3));
    List<Holding> got = t.peers(1, APP, "me:7401", "a");
    assertThat(names(got)).containsExactly("b1");
    assertThat(got.get(0).pieces()).as("only the pieces the asker lacks").isEqualTo(bits(2, 3));
    assertThat(t.peers(1, APP, "new:7401", "a").get(0).pieces()).as("an asker that announced nothing lacks all")
        .isEqualTo(bits(0, 1));
    t.announce(2, APP, peer("me", "a"), bits(0, 1, 2, 3));
    assertThat(t.peers(3, APP, "me:7401", "a")).as("the asker holds everything").isEmpty();
  }

  @Test
  void announcesReplaceDeparturesAndSilenceForget() {
    Tracker t = new Tracker(1_000, 10, new Random(2));
    t.announce(0, APP, peer("a", "r"), bits(0));
    t.announce(500, APP, peer("a", "r"), bits(0, 1, 2));
    t.announce(0, APP, peer("b", "r"), bits(1));
    t.announce(0, OTHER, peer("b", "r"), bits(1));
    assertThat(t.peers(600, APP, "x", "r").get(0).pieces()).isIn(bits(0, 1, 2), bits(1));
    assertThat(names(t.peers(1_200, APP, "x", "r"))).as("b silent for 1.2 s is forgotten").containsExactly("a");
    assertThat(t.holders(OTHER)).isZero();
    t.announce(1_300, APP, peer("c", "r"), bits(4));
    t.depart("a:7401");
    assertThat(names(t.peers(1_300, APP, "x", "r"))).containsExactly("c");
    t.announce(1_400, APP, peer("c", "r"), new BitSet());
    assertThat(t.peers(1_400, APP, "x", "r")).isEmpty();
  }

  @Test
  void heldIsWhatAnyLivePeerHolds() {
    Tracker t = new Tracker(1_000, 10, new Random(3));
    assertThat(t.held(0, APP)).isEqualTo(bits());
    t.announce(0, APP, peer("a", "r"), bits(0, 2));
    t.announce(500, APP, peer("b", "r"), bits(2, 3));
    t.announce(0, OTHER, peer("c", "r"), bits(1));
    assertThat(t.held(900, APP)).isEqualTo(bits(0, 2, 3));
    assertThat(t.held(1_200, APP)).as("a is forgotten after its silence").isEqualTo(bits(2, 3));
  }
}
