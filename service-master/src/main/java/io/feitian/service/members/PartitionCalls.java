package io.feitian.service.members;

import io.feitian.service.members.Effect.Tell;
import io.feitian.service.partition.Action;
import io.feitian.service.partition.Partition;
import io.feitian.service.partition.PartitionTable;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * The partition table's actions on their way to the workers. An action goes
 * to its worker unless the worker is lost or unknown (its partitions move
 * once it expires) or the partition already has a call in flight (that call
 * is answered first); a move with no call in flight is sent again when
 * {@link #resend} is called. Every call to a worker is idempotent.
 */
final class PartitionCalls {
  private final PartitionTable table;
  /** A worker's endpoint, if it is registered and not lost. */
  private final Function<String, Optional<String>> liveEndpoint;
  /** Partitions with a call to their worker outstanding. */
  private final Set<String> inFlight = new HashSet<>();

  PartitionCalls(PartitionTable table, Function<String, Optional<String>> liveEndpoint) {
    this.table = table;
    this.liveEndpoint = liveEndpoint;
  }

  List<Tell> send(List<Action> actions) {
    List<Tell> calls = new ArrayList<>();
    for (Action a : actions) {
      liveEndpoint.apply(a.worker()).filter(e -> inFlight.add(a.partition()))
          .ifPresent(endpoint -> calls.add(new Tell(a, endpoint)));
    }
    return calls;
  }

  /** Partitions moving whose worker did not answer (or a new master took over) are told again. */
  List<Tell> resend() {
    List<Action> stuck = new ArrayList<>();
    for (Partition p : table.partitions()) {
      if (inFlight.contains(p.id())) {
        continue;
      }
      switch (p.state()) {
        case LOADING -> stuck.add(new Action.Load(p.owner(), p.id(), p.range(), p.epoch()));
        case UNLOADING -> stuck.add(new Action.Unload(p.owner(), p.id(), p.epoch()));
        case SPLITTING -> stuck.add(new Action.Split(p.owner(), p.id(), p.next(), p.id() + "a", p.id() + "b",
            p.epoch() + 1));
        default -> { }
      }
    }
    return send(stuck);
  }

  /** The worker carried out the action: the table takes the confirmation, and what follows from it is sent. */
  List<Tell> done(Action a) {
    inFlight.remove(a.partition());
    if (a instanceof Action.Unload u) {
      return send(table.unloaded(u.partition(), u.worker(), u.epoch()));
    } else if (a instanceof Action.Split s) {
      return send(table.split(s.partition(), s.worker(), s.epoch()));
    }
    Action.Load l = (Action.Load) a;
    table.loaded(l.partition(), l.worker(), l.epoch());
    return List.of();
  }

  /** The call failed or its answer was lost: the move is sent again by a later {@link #resend}. */
  void failed(Action a) {
    inFlight.remove(a.partition());
  }
}
