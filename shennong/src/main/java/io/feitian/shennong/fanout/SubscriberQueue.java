package io.feitian.shennong.fanout;

import io.feitian.proto.shennong.v1.Event;
import io.feitian.proto.shennong.v1.Sample;
import io.feitian.proto.shennong.v1.SampleUpdate;
import io.feitian.proto.shennong.v1.SubscriptionUpdate;
import io.feitian.shennong.ops.Coalescer;
import io.feitian.shennong.ops.GroupKey;
import io.feitian.shennong.ops.MergedWindow;
import io.feitian.shennong.wire.ResultProtos;
import io.feitian.shennong.wire.ResultProtos.WindowedValue;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.Function;

/**
 * What the master holds for one subscriber between two sends: a {@link Coalescer}, so a subscriber
 * that does not keep up receives the newest value per group (windowed) or series (RAW), with counts
 * of what was folded, and holds a bounded map, never a growing queue: beyond {@link #MAX_PENDING_KEYS}
 * new keys are dropped and counted ({@code SubscriptionUpdate.dropped}).
 * {@link #drain()} turns what is pending into the next {@link SubscriptionUpdate}.
 */
abstract sealed class SubscriberQueue {
  /** Pending keys per subscriber: the groups of one window, at most. */
  static final int MAX_PENDING_KEYS = io.feitian.shennong.ops.WindowQuery.MAX_GROUPS;

  /** An item forwarded by an agent. */
  record From<V>(String agent, V item) {}

  /** The next update, or null when nothing is pending. */
  abstract SubscriptionUpdate drain();

  abstract boolean hasPending();

  /** The merged windows of a windowed subscription. */
  static final class Windows extends SubscriberQueue {
    private final List<String> groupBy;
    private final Coalescer<GroupKey, WindowedValue> values = new Coalescer<>(MAX_PENDING_KEYS);
    private long newestWindowStartMs;
    private MergedWindow newest;
    private long lateSamples; // since the last update: added up, never folded away

    Windows(List<String> groupBy) {
      this.groupBy = groupBy;
    }

    /** A merged window, and the late samples agents counted in the reports taken since the previous one. */
    void offer(MergedWindow window, long late) {
      Map<GroupKey, WindowedValue> update = new LinkedHashMap<>();
      window.groups().forEach((k, v) -> update.put(k, new WindowedValue(v, window.windowStartMs())));
      values.offer(update);
      newestWindowStartMs = window.windowStartMs();
      newest = window;
      lateSamples += late;
    }

    @Override
    boolean hasPending() {
      return values.hasPending();
    }

    @Override
    SubscriptionUpdate drain() {
      Coalescer.Batch<GroupKey, WindowedValue> batch = values.drain();
      if (batch == null) {
        return null;
      }
      SubscriptionUpdate.Builder u = SubscriptionUpdate.newBuilder().setSequence(batch.sequence())
          .setCoalescedUpdates(batch.coalescedUpdates()).setWindowStartMs(newestWindowStartMs)
          .setGap(ResultProtos.gap(newest, lateSamples));
      lateSamples = 0;
      batch.values().forEach(p -> u.addGroups(ResultProtos.group(p, groupBy, batch.sequence())));
      return u.build();
    }
  }

  /**
   * What agents forward as it comes: a RAW subscription's samples, keyed by agent and series, so a
   * slow subscriber gets each series' newest sample; or events, which are occurrences and are never
   * folded (keyed by agent, name, labels, time and message).
   */
  static final class Forwarded<V> extends SubscriberQueue {
    /** An item's identity from one agent; its hash taken once (a sample's labels are costly to hash, and it is asked twice). */
    private record Key(String agent, Object item, int hash) {
      Key(String agent, Object item) {
        this(agent, item, 31 * agent.hashCode() + item.hashCode());
      }

      @Override
      public boolean equals(Object o) {
        return o instanceof Key k && hash == k.hash && agent.equals(k.agent) && item.equals(k.item);
      }

      @Override
      public int hashCode() {
        return hash;
      }
    }

    private final Function<V, Object> identity;
    private final BiConsumer<SubscriptionUpdate.Builder, Coalescer.Pending<Key, V>> add;
    private final Coalescer<Key, V> values = new Coalescer<>(MAX_PENDING_KEYS);
    private long refusedBefore;
    private long droppedUpstream;

    private Forwarded(Function<V, Object> identity, BiConsumer<SubscriptionUpdate.Builder, Coalescer.Pending<Key, V>> add) {
      this.identity = identity;
      this.add = add;
    }

    static Forwarded<Sample> samples() {
      return new Forwarded<>(s -> List.of(s.getName(), s.getLabelsMap()), (u, p) -> u.addSamples(
          SampleUpdate.newBuilder().setSample(p.value()).setCoalesced(p.coalesced())));
    }

    static Forwarded<Event> events() {
      return new Forwarded<>(e -> e, (u, p) -> u.addEvents(p.value()));
    }

    static <V> List<From<V>> from(String agent, List<V> items) {
      return items.stream().map(v -> new From<>(agent, v)).toList();
    }

    /** One update: what some agents sent (several only for a RAW subscription's first message). */
    void offer(Map<String, List<V>> byAgent) {
      List<From<V>> items = new ArrayList<>();
      byAgent.forEach((agent, list) -> items.addAll(from(agent, list)));
      offer(items, 0);
    }

    /** One update of items in this order; {@code droppedBefore} were left out before they got here. */
    void offer(List<From<V>> items, long droppedBefore) {
      Map<Key, V> update = new LinkedHashMap<>();
      items.forEach(f -> update.put(new Key(f.agent(), identity.apply(f.item())), f.item()));
      values.offer(update);
      droppedUpstream += droppedBefore;
    }

    @Override
    boolean hasPending() {
      return values.hasPending();
    }

    @Override
    SubscriptionUpdate drain() {
      Coalescer.Batch<Key, V> batch = values.drain();
      if (batch == null) {
        return null;
      }
      SubscriptionUpdate.Builder u = SubscriptionUpdate.newBuilder().setSequence(batch.sequence())
          .setCoalescedUpdates(batch.coalescedUpdates()).setDropped(values.refused() - refusedBefore + droppedUpstream);
      refusedBefore = values.refused();
      droppedUpstream = 0;
      batch.values().forEach(p -> add.accept(u, p));
      return u.build();
    }
  }
}
