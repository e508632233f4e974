package io.feitian.shennong.monitor.rules;

import io.feitian.proto.shennong.v1.Kind;
import io.feitian.proto.shennong.v1.Operation;
import io.feitian.proto.shennong.v1.SubscribeRequest;
import io.feitian.shennong.ops.WindowQuery;
import io.feitian.shennong.select.EventSelector;
import io.feitian.shennong.wire.QueryProtos;
import java.util.List;

/**
 * What a rule watches. Each kind reads exactly one Shennong subscription ({@link #subscription()}):
 * rules compile to subscriptions, there is no second path to the data.
 */
public sealed interface Condition {
  /** The subscription whose updates feed this condition. */
  SubscribeRequest subscription();

  /** The labels that split the condition into one alert per group (in this order). */
  List<String> groupBy();

  /** A condition read from a windowed metrics subscription. */
  sealed interface Windowed extends Condition {
    WindowQuery query();

    @Override
    default SubscribeRequest subscription() {
      return QueryProtos.request(query());
    }

    @Override
    default List<String> groupBy() {
      return query().groupBy();
    }
  }

  /**
   * An aggregated series compared with a threshold, one alert per group: {@code avg by node of
   * node.cpu.utilization > 0.9}. For QUANTILE the query asks for exactly one quantile, which is the
   * value compared.
   */
  record Threshold(WindowQuery query, Comparison comparison) implements Windowed {}

  /**
   * Data that stops: a group (by {@code query.groupBy()}) that held samples and then none for
   * {@code afterMs}. The query COUNTs the selected samples per group with window = step, so each
   * step says which groups still report.
   */
  record Absence(WindowQuery query, long afterMs) implements Windowed {
    public Absence {
      if (query.operation() != Operation.OPERATION_COUNT) {
        throw new IllegalArgumentException("an absence is watched through COUNT, got " + query.operation());
      }
    }
  }

  /**
   * More than {@code moreThan} matching events within {@code withinMs}, counted per group of
   * {@code groupBy} label values (for instance per job). The subscription is the RAW events stream;
   * the subscriber sets {@code events_since_ms} when it resumes.
   */
  record EventBurst(EventSelector selector, List<String> groupBy, int moreThan, long withinMs) implements Condition {
    public EventBurst {
      groupBy = List.copyOf(groupBy);
    }

    @Override
    public SubscribeRequest subscription() {
      return SubscribeRequest.newBuilder().setSelector(selector.toString()).setKind(Kind.KIND_EVENTS)
          .setOperation(Operation.OPERATION_RAW).build();
    }

    @Override
    public boolean equals(Object o) {
      // EventSelector has no equals of its own; its canonical text says what it selects.
      return o instanceof EventBurst e && selector.toString().equals(e.selector.toString())
          && groupBy.equals(e.groupBy) && moreThan == e.moreThan && withinMs == e.withinMs;
    }

    @Override
    public int hashCode() {
      return selector.toString().hashCode() * 31 + groupBy.hashCode();
    }
  }
}
