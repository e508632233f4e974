package io.feitian.fuxi.master.term;

import static org.assertj.core.api.Assertions.assertThat;

import io.feitian.proto.fuxi.v1.UsableNode;
import io.feitian.proto.fuxi.v1.UsableNodes;
import java.util.Map;
import org.junit.jupiter.api.Test;

class NodeFeedTest {
  private static UsableNode node(String id, String rack) {
    return UsableNode.newBuilder().setNodeId(id).setRack(rack).build();
  }

  @Test
  void publishesOnlyWhatChangedAndASnapshotOfEverything() {
    NodeFeed feed = new NodeFeed();
    assertThat(feed.changeTo(Map.of())).isEmpty();
    assertThat(feed.changeTo(Map.of("a", "r1", "b", "r2"))).contains(UsableNodes.newBuilder()
        .addAdded(node("a", "r1")).addAdded(node("b", "r2")).build());
    assertThat(feed.changeTo(Map.of("a", "r1", "b", "r2"))).as("nothing changed").isEmpty();
    assertThat(feed.changeTo(Map.of("b", "r3", "c", "r1"))).as("a gone, b moved racks, c new").contains(
        UsableNodes.newBuilder().addAdded(node("b", "r3")).addAdded(node("c", "r1")).addRemoved("a").build());
    assertThat(feed.snapshot()).isEqualTo(UsableNodes.newBuilder().setSnapshot(true)
        .addAdded(node("b", "r3")).addAdded(node("c", "r1")).build());
  }
}
