package io.feitian.service.partition;

import io.feitian.common.app.FieldChecks;
import io.feitian.common.grpc.Echo;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * A service's partitions: key ranges that cover the key space without gaps
 * or overlaps, each owned by at most one worker at a time.
 *
 * <p>Exactly one owner: a partition is loaded by its new owner (at a new,
 * higher epoch) only after its old owner confirmed the unload, or after the
 * old owner was lost for longer than the reassignment delay, by which time
 * its lease has run out and it no longer serves. Workers serve a partition
 * only at the epoch they were told, so a slow old owner cannot serve data
 * the new owner changes.
 *
 * <p>Messages can be late: a worker acts on a Load only if the table (kept
 * in ZooKeeper, the hard state) still names it the owner at that epoch, and
 * on an Unload or Split only for the epoch it serves. The property test
 * checks that, so, no key is ever served by two workers.
 *
 * <p>Every command returns the {@link Action}s workers must carry out;
 * their confirmations come back through {@link #loaded}, {@link #unloaded}
 * and {@link #split}. Stale confirmations (another epoch, another worker)
 * are ignored.
 */
public final class PartitionTable {
  /** A key that bounds partitions (initial boundaries, split keys): the whole table is one znode. */
  public static final int MAX_KEY_BYTES = 128;
  private static final FieldChecks CHECKS = new FieldChecks("");

  private final Map<String, Partition> byId = new LinkedHashMap<>();
  /** Range start -> partition id, for finding a key's partition. */
  private final TreeMap<String, String> byStart = new TreeMap<>();
  /** Workers lost, and since when: their partitions are reassigned after the delay. */
  private final Map<String, Long> lostSince = new HashMap<>();
  /** Partitions an operator unloaded: rebalancing leaves them unassigned until they are loaded again. */
  private final Set<String> offline = new HashSet<>();
  private long nextId;

  /** A table of the given unassigned partitions, which must cover the key space exactly. */
  public PartitionTable(List<KeyRange> ranges) {
    List<KeyRange> sorted = new ArrayList<>(ranges);
    sorted.sort(Comparator.comparing(KeyRange::start));
    if (sorted.isEmpty() || !sorted.get(0).start().isEmpty() || !sorted.get(sorted.size() - 1).end().isEmpty()) {
      throw new IllegalArgumentException("partitions must cover the key space from its start to its end");
    }
    for (int i = 1; i < sorted.size(); i++) {
      if (!sorted.get(i - 1).end().equals(sorted.get(i).start())) {
        throw new IllegalArgumentException("partitions " + sorted.get(i - 1) + " and " + sorted.get(i)
            + " leave a gap or overlap");
      }
    }
    for (KeyRange r : sorted) {
      put(new Partition(newId(), r, "", 0, PartitionState.UNASSIGNED, ""));
    }
  }

  private PartitionTable() {}

  /**
   * The table as it was stored (by {@link #partitions()}), e.g. by a
   * service-master that died; which workers are lost is learned afresh.
   */
  public static PartitionTable restore(Collection<Partition> partitions, Collection<String> offline) {
    PartitionTable t = new PartitionTable();
    t.offline.addAll(offline);
    for (Partition p : partitions) {
      if (t.byStart.containsKey(p.range().start())) {
        throw new IllegalArgumentException("partitions " + t.byStart.get(p.range().start()) + " and " + p.id()
            + " start at the same key");
      }
      t.put(p);
    }
    return t;
  }

  /** Partitions unloaded by request, which stay unassigned until loaded. */
  public Set<String> offline() {
    return Set.copyOf(offline);
  }

  /** Workers lost and not yet forgotten. */
  public Set<String> lostWorkers() {
    return Set.copyOf(lostSince.keySet());
  }

  /**
   * {@code count} partitions of equal width over keys that are 8 lower-case
   * hex digits (a 32-bit hash of the application's key, the documented key
   * space for evenly split services).
   */
  public static PartitionTable evenly(int count) {
    if (count < 1 || count > 65_536) {
      throw new IllegalArgumentException("partition count must be between 1 and 65536, got " + count);
    }
    List<KeyRange> ranges = new ArrayList<>();
    String start = "";
    for (int i = 1; i <= count; i++) {
      String end = i == count ? "" : String.format("%08x", (1L << 32) * i / count);
      ranges.add(new KeyRange(start, end));
      start = end;
    }
    return new PartitionTable(ranges);
  }

  private String newId() {
    return "p-" + nextId++;
  }

  private void put(Partition p) {
    byId.put(p.id(), p);
    byStart.put(p.range().start(), p.id());
  }

  public List<Partition> partitions() {
    return List.copyOf(byId.values());
  }

  public Partition partition(String id) {
    Partition p = byId.get(id);
    if (p == null) {
      throw new IllegalArgumentException("no partition '" + id + "'");
    }
    return p;
  }

  /** The partition holding a key. */
  public Partition partitionOf(String key) {
    return byId.get(byStart.floorEntry(key).getValue());
  }

  /** The worker serving a key now, if one is. */
  public Optional<String> ownerOf(String key) {
    Partition p = partitionOf(key);
    return p.state() == PartitionState.SERVING ? Optional.of(p.owner()) : Optional.empty();
  }

  private Partition expect(String id, PartitionState state, String command) {
    Partition p = partition(id);
    if (p.state() != state) {
      throw new IllegalStateException(command + " of partition " + id + " needs it " + state + ", it is " + p.state());
    }
    return p;
  }

  private void requireLive(String worker) {
    if (worker == null || worker.isEmpty()) {
      throw new IllegalArgumentException("worker must be named");
    }
    if (lostSince.containsKey(worker)) {
      throw new IllegalStateException("worker " + worker + " is lost");
    }
  }

  // ---- commands -------------------------------------------------------------------------------

  /** Gives an unassigned partition to a worker, at the next epoch. */
  public List<Action> load(String id, String worker) {
    requireLive(worker);
    Partition p = expect(id, PartitionState.UNASSIGNED, "load");
    offline.remove(id);
    return List.of(startLoading(p, worker));
  }

  private Action startLoading(Partition p, String worker) {
    long epoch = p.epoch() + 1;
    put(new Partition(p.id(), p.range(), worker, epoch, PartitionState.LOADING, ""));
    return new Action.Load(worker, p.id(), p.range(), epoch);
  }

  /**
   * Takes a served partition from its owner; it becomes unassigned once the
   * owner confirms, and stays so (rebalancing leaves it) until it is loaded.
   */
  public List<Action> unload(String id) {
    Partition p = expect(id, PartitionState.SERVING, "unload");
    offline.add(id);
    put(new Partition(p.id(), p.range(), p.owner(), p.epoch(), PartitionState.UNLOADING, ""));
    return List.of(new Action.Unload(p.owner(), p.id(), p.epoch()));
  }

  /** Moves a served partition to another worker: its owner unloads it first. */
  public List<Action> migrate(String id, String to) {
    requireLive(to);
    Partition p = expect(id, PartitionState.SERVING, "migrate");
    if (p.owner().equals(to)) {
      throw new IllegalArgumentException("partition " + id + " is already owned by " + to);
    }
    put(new Partition(p.id(), p.range(), p.owner(), p.epoch(), PartitionState.UNLOADING, to));
    return List.of(new Action.Unload(p.owner(), p.id(), p.epoch()));
  }

  /** Splits a served partition at a key; its owner serves both halves once it confirms. */
  public List<Action> split(String id, String at) {
    CHECKS.maxBytes("at", at, MAX_KEY_BYTES);
    Partition p = expect(id, PartitionState.SERVING, "split");
    if (!p.range().canSplitAt(at)) {
      throw new IllegalArgumentException("key " + Echo.quote(at) + " does not split partition " + id + " " + p.range());
    }
    put(new Partition(p.id(), p.range(), p.owner(), p.epoch(), PartitionState.SPLITTING, at));
    return List.of(new Action.Split(p.owner(), p.id(), at, p.id() + "a", p.id() + "b", p.epoch() + 1));
  }

  // ---- confirmations --------------------------------------------------------------------------

  /** A worker loaded a partition at an epoch. Stale confirmations are ignored. */
  public void loaded(String id, String worker, long epoch) {
    Partition p = byId.get(id);
    if (p != null && p.state() == PartitionState.LOADING && p.owner().equals(worker) && p.epoch() == epoch) {
      put(new Partition(id, p.range(), worker, epoch, PartitionState.SERVING, ""));
    }
  }

  /** A worker unloaded a partition: it moves on to its next owner, or stays unassigned. */
  public List<Action> unloaded(String id, String worker, long epoch) {
    Partition p = byId.get(id);
    if (p == null || p.state() != PartitionState.UNLOADING || !p.owner().equals(worker) || p.epoch() != epoch) {
      return List.of();
    }
    Partition free = new Partition(id, p.range(), "", epoch, PartitionState.UNASSIGNED, "");
    put(free);
    if (!p.next().isEmpty() && !lostSince.containsKey(p.next())) {
      return List.of(startLoading(free, p.next()));
    }
    return List.of();
  }

  /**
   * A worker split a partition: the two halves replace it, and its owner
   * loads them at the next epoch (from the data the split left). Until the
   * halves are loaded nobody serves the range, so a worker that dies between
   * splitting and loading leaves the parent's data complete, and the parent
   * is reassigned as it was.
   */
  public List<Action> split(String id, String worker, long epoch) {
    Partition p = byId.get(id);
    if (p == null || p.state() != PartitionState.SPLITTING || !p.owner().equals(worker) || p.epoch() + 1 != epoch) {
      return List.of();
    }
    byId.remove(id);
    byStart.remove(p.range().start());
    String at = p.next();
    Partition lower = new Partition(id + "a", p.range().lower(at), "", p.epoch(), PartitionState.UNASSIGNED, "");
    Partition upper = new Partition(id + "b", p.range().upper(at), "", p.epoch(), PartitionState.UNASSIGNED, "");
    put(lower);
    put(upper);
    if (lostSince.containsKey(worker)) {
      return List.of(); // rebalancing hands them out
    }
    return List.of(startLoading(lower, worker), startLoading(upper, worker));
  }

  // ---- workers coming and going ---------------------------------------------------------------

  /** A worker stopped answering; its partitions wait {@code delay} for it before they are reassigned. */
  public void workerLost(String worker, long now) {
    lostSince.putIfAbsent(worker, now);
  }

  /** A lost worker answered again before its partitions were reassigned. */
  public void workerBack(String worker) {
    lostSince.remove(worker);
  }

  /**
   * Partitions of workers lost for at least {@code delayMillis} (longer than
   * a worker's lease, so they no longer serve) become unassigned, and moves
   * towards lost workers are cancelled. Returns the workers forgotten.
   */
  public List<String> expire(long now, long delayMillis) {
    List<String> expired = new ArrayList<>();
    lostSince.forEach((w, since) -> {
      if (now - since >= delayMillis) {
        expired.add(w);
      }
    });
    forget(expired);
    return expired;
  }

  /**
   * A worker known to be gone for good (its process ended): its partitions
   * become unassigned now, without waiting for the delay.
   */
  public void workerGone(String worker) {
    forget(List.of(worker));
  }

  private void forget(List<String> gone) {
    for (Partition p : List.copyOf(byId.values())) {
      if (gone.contains(p.owner())) {
        put(new Partition(p.id(), p.range(), "", p.epoch(), PartitionState.UNASSIGNED, ""));
        if (p.state() == PartitionState.SPLITTING) {
          // The split may or may not have happened on the lost worker: the epoch moves past both outcomes.
          put(new Partition(p.id(), p.range(), "", p.epoch() + 1, PartitionState.UNASSIGNED, ""));
        }
      } else if (p.state() == PartitionState.UNLOADING && gone.contains(p.next())) {
        put(new Partition(p.id(), p.range(), p.owner(), p.epoch(), p.state(), ""));
      }
    }
    gone.forEach(lostSince::remove);
  }

  // ---- rebalancing ----------------------------------------------------------------------------

  /**
   * Spreads partitions over the live workers: unassigned partitions, and
   * those of workers not listed (leaving), go to the least loaded, then served partitions move from the most to the least
   * loaded until no worker has two more than another, with at most
   * {@code maxMoves} loads and unloads in flight at once (Helix-style
   * throttling, so a rebalance never takes many partitions offline at once).
   */
  public List<Action> rebalance(Collection<String> workers, int maxMoves) {
    List<String> live = workers.stream().filter(w -> !lostSince.containsKey(w)).sorted().toList();
    List<Action> actions = new ArrayList<>();
    if (live.isEmpty()) {
      return actions;
    }
    int inFlight = (int) byId.values().stream().filter(p -> p.state() == PartitionState.LOADING
        || p.state() == PartitionState.UNLOADING).count();
    for (Partition p : List.copyOf(byId.values())) {
      if (inFlight >= maxMoves) {
        return actions;
      }
      if (p.state() == PartitionState.UNASSIGNED && !offline.contains(p.id())) {
        actions.add(startLoading(p, leastLoaded(live)));
        inFlight++;
      } else if (p.state() == PartitionState.SERVING && !live.contains(p.owner())
          && !lostSince.containsKey(p.owner())) {
        // Its owner is leaving (scaled in): the partition moves before the worker stops.
        actions.addAll(migrate(p.id(), leastLoaded(live)));
        inFlight++;
      }
    }
    while (inFlight < maxMoves) {
      String most = live.stream().max(Comparator.comparingInt(this::load)).orElseThrow();
      String least = leastLoaded(live);
      if (load(most) - load(least) <= 1) {
        break;
      }
      Optional<Partition> movable = byId.values().stream()
          .filter(p -> p.owner().equals(most) && p.state() == PartitionState.SERVING).findFirst();
      if (movable.isEmpty()) {
        break;
      }
      actions.addAll(migrate(movable.get().id(), least));
      inFlight++;
    }
    return actions;
  }

  private String leastLoaded(List<String> live) {
    return live.stream().min(Comparator.comparingInt(this::load)).orElseThrow();
  }

  /** Partitions a worker has or is getting: owned ones not leaving it, plus those moving to it. */
  public int load(String worker) {
    int n = 0;
    for (Partition p : byId.values()) {
      boolean leaving = p.state() == PartitionState.UNLOADING && !p.next().isEmpty();
      if (p.owner().equals(worker) && !leaving || p.next().equals(worker) && leaving) {
        n++;
      }
    }
    return n;
  }
}
