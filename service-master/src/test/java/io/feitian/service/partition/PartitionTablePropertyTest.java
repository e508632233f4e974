package io.feitian.service.partition;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Random commands, confirmations arriving late or never, workers lost and
 * coming back, on simulated workers that serve exactly what they were told:
 * after every step no key is served by two workers, ranges cover the key
 * space, and epochs never go down. Seeds are printed; -Dpartitions.seed
 * replays one.
 */
class PartitionTablePropertyTest {
  static final long LEASE = 5_000;

  /** What a simulated worker serves: partition id -> (range, epoch). */
  record Served(KeyRange range, long epoch) {}

  static final class Sim {
    final Random random;
    final PartitionTable table = PartitionTable.evenly(4);
    final List<String> workers = List.of("w1", "w2", "w3", "w4");
    final Map<String, Map<String, Served>> serving = new HashMap<>();
    /** Actions on their way to workers, and confirmations on their way back. */
    final Deque<Action> toWorkers = new ArrayDeque<>();
    final Deque<Runnable> confirmations = new ArrayDeque<>();
    final Set<String> lost = new HashSet<>();
    final Map<String, Long> epochs = new HashMap<>();
    /** Actions workers carried out, by kind: the run must have exercised every kind. */
    final Map<String, Integer> done = new HashMap<>();
    long now;

    Sim(long seed) {
      random = new Random(seed);
      workers.forEach(w -> serving.put(w, new HashMap<>()));
    }

    void step() {
      now += 100 + random.nextInt(900);
      switch (random.nextInt(9)) {
        case 0, 1 -> toWorkers.addAll(table.rebalance(workers, 1 + random.nextInt(3)));
        case 2 -> deliver();
        case 3, 4 -> confirm();
        case 5 -> anyServed().ifPresent(p -> {
          String to = randomLiveWorker(p.owner());
          if (!to.equals(p.owner())) {
            toWorkers.addAll(table.migrate(p.id(), to));
          }
        });
        case 6 -> anyServed().ifPresent(p -> {
          String at = p.range().start() + (char) ('a' + random.nextInt(26));
          if (p.range().canSplitAt(at)) {
            toWorkers.addAll(table.split(p.id(), at));
          }
        });
        case 7 -> {
          String w = workers.get(random.nextInt(workers.size()));
          if (lost.add(w)) {
            table.workerLost(w, now);
          }
        }
        default -> {
          for (String w : table.expire(now, LEASE)) {
            // The table waited out the lease: the lost worker has stopped serving by itself.
            serving.get(w).clear();
            done.merge("expire", 1, Integer::sum);
            lost.remove(w);
          }
        }
      }
    }

    java.util.Optional<Partition> anyServed() {
      List<Partition> served = table.partitions().stream().filter(p -> p.state() == PartitionState.SERVING
          && !lost.contains(p.owner())).toList();
      return served.isEmpty() ? java.util.Optional.empty() : java.util.Optional.of(served.get(random.nextInt(served.size())));
    }

    String randomLiveWorker(String not) {
      List<String> live = workers.stream().filter(w -> !lost.contains(w) && !w.equals(not)).toList();
      return live.isEmpty() ? not : live.get(random.nextInt(live.size()));
    }

    /** A worker receives an action and acts at once; its confirmation travels back later (lost workers drop it). */
    void deliver() {
      Action a = toWorkers.poll();
      if (a == null || lost.contains(a.worker())) {
        return;
      }
      Map<String, Served> s = serving.get(a.worker());
      if (a instanceof Action.Load l) {
        // A worker checks a load against the table (hard state) before serving: a late one is ignored.
        Partition now = table.partitions().stream().filter(p -> p.id().equals(l.partition())).findFirst().orElse(null);
        if (now == null || !now.owner().equals(l.worker()) || now.epoch() != l.epoch()) {
          return;
        }
        s.put(l.partition(), new Served(l.range(), l.epoch()));
        done.merge("load", 1, Integer::sum);
        confirmations.add(() -> table.loaded(l.partition(), l.worker(), l.epoch()));
      } else if (a instanceof Action.Unload u) {
        Served served = s.get(u.partition());
        if (served != null && served.epoch() == u.epoch()) {
          s.remove(u.partition());
          done.merge("unload", 1, Integer::sum);
        }
        confirmations.add(() -> toWorkers.addAll(table.unloaded(u.partition(), u.worker(), u.epoch())));
      } else if (a instanceof Action.Split sp) {
        Served parent = s.get(sp.partition());
        if (parent != null && parent.epoch() + 1 == sp.epoch()) {
          s.remove(sp.partition());
          done.merge("split", 1, Integer::sum);
        }
        confirmations.add(() -> toWorkers.addAll(table.split(sp.partition(), sp.worker(), sp.epoch())));
      }
    }

    void confirm() {
      Runnable c = confirmations.poll();
      if (c != null) {
        c.run();
      }
    }

    void checkInvariants(int step, long seed) {
      String at = "seed " + seed + ", step " + step;
      List<Partition> ps = new ArrayList<>(table.partitions());
      ps.sort((a, b) -> a.range().start().compareTo(b.range().start()));
      assertThat(ps.get(0).range().start()).as(at).isEmpty();
      assertThat(ps.get(ps.size() - 1).range().end()).as(at).isEmpty();
      for (int i = 1; i < ps.size(); i++) {
        assertThat(ps.get(i).range().start()).as(at + ": coverage").isEqualTo(ps.get(i - 1).range().end());
      }
      for (Partition p : ps) {
        assertThat(p.owned()).as(at + ": " + p).isEqualTo(p.state() != PartitionState.UNASSIGNED);
        Long before = epochs.put(p.id(), p.epoch());
        assertThat(p.epoch()).as(at + ": epoch of " + p.id() + " went down").isGreaterThanOrEqualTo(
            before == null ? 0 : before);
      }
      // Exactly one owner: no two workers serve overlapping ranges.
      List<String[]> all = new ArrayList<>();
      serving.forEach((w, s) -> s.forEach((id, sv) -> all.add(new String[] {w, sv.range().start(), sv.range().end()})));
      for (int i = 0; i < all.size(); i++) {
        for (int j = i + 1; j < all.size(); j++) {
          String[] a = all.get(i);
          String[] b = all.get(j);
          if (!a[0].equals(b[0])) {
            boolean overlap = (b[2].isEmpty() || a[1].compareTo(b[2]) < 0) && (a[2].isEmpty() || b[1].compareTo(a[2]) < 0);
            assertThat(overlap).as(at + ": " + a[0] + " and " + b[0] + " both serve keys of [" + a[1] + ", " + a[2]
                + ") and [" + b[1] + ", " + b[2] + ")").isFalse();
          }
        }
      }
    }
  }

  @Test
  void neverTwoOwnersOfAKey() {
    List<Long> seeds = new ArrayList<>(List.of(1L, 2L, 3L, 42L));
    seeds.add(Long.getLong("partitions.seed", System.nanoTime()));
    for (long seed : seeds) {
      System.out.println("PartitionTablePropertyTest seed " + seed + " (replay with -Dpartitions.seed=" + seed + ")");
      Sim sim = new Sim(seed);
      for (int step = 0; step < 5_000; step++) {
        sim.step();
        sim.checkInvariants(step, seed);
      }
      assertThat(sim.done).as("seed " + seed + " exercised every kind of change")
          .containsKeys("load", "unload", "split", "expire");
    }
  }
}
