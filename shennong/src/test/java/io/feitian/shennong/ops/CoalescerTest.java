package io.feitian.shennong.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CoalescerTest {
  private static Map<String, Integer> update(Object... kv) {
    Map<String, Integer> m = new LinkedHashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      m.put((String) kv[i], (Integer) kv[i + 1]);
    }
    return m;
  }

  @Test
  void aSubscriberThatKeepsUpGetsEveryUpdateAsItIs() {
    Coalescer<String, Integer> c = new Coalescer<>(10);
    assertThat(c.drain()).isNull();
    assertThat(c.offer(update("a", 1))).isEqualTo(1);
    Coalescer.Batch<String, Integer> b = c.drain();
    assertThat(b.sequence()).isEqualTo(1);
    assertThat(b.coalescedUpdates()).isZero();
    assertThat(b.values()).containsExactly(new Coalescer.Pending<>("a", 1, 1, 0));
    assertThat(c.hasPending()).isFalse();
    assertThat(c.offer(update("a", 2))).isEqualTo(2);
    assertThat(c.drain().values()).containsExactly(new Coalescer.Pending<>("a", 2, 2, 0));
  }

  @Test
  void aSlowSubscriberGetsTheNewestValuePerKeyWithCounts() {
    Coalescer<String, Integer> c = new Coalescer<>(10);
    c.offer(update("a", 1, "b", 1));
    c.offer(update("a", 2));
    c.offer(update());
    c.offer(update("a", 3, "c", 3));
    Coalescer.Batch<String, Integer> b = c.drain();
    assertThat(b.sequence()).isEqualTo(4);
    assertThat(b.coalescedUpdates()).isEqualTo(3);
    assertThat(b.values()).containsExactly(new Coalescer.Pending<>("a", 3, 4, 2),
        new Coalescer.Pending<>("b", 1, 1, 0), new Coalescer.Pending<>("c", 3, 4, 0));
    assertThat(c.dropped()).isEqualTo(2);
    // Sequences keep counting across batches, so the subscriber can check them.
    assertThat(c.offer(update("a", 5))).isEqualTo(5);
  }

  @Test
  void silenceStillAdvancesTheSequence() {
    Coalescer<String, Integer> c = new Coalescer<>(10);
    c.offer(update());
    Coalescer.Batch<String, Integer> b = c.drain();
    assertThat(b.values()).isEmpty();
    assertThat(b.sequence()).isEqualTo(1);
  }

  @Test
  void keysBeyondTheBoundAreRefusedAndCounted() {
    Coalescer<String, Integer> c = new Coalescer<>(2);
    c.offer(update("a", 1, "b", 1, "c", 1));
    c.offer(update("a", 2, "d", 2));
    assertThat(c.refused()).isEqualTo(2);
    assertThat(c.drain().values()).extracting(Coalescer.Pending::key).containsExactly("a", "b");
    c.offer(update("c", 3));
    assertThat(c.drain().values()).extracting(Coalescer.Pending::key).containsExactly("c");
  }
}
