package io.feitian.job.grants;

import static io.feitian.job.grants.JobGrants.ADOPT_GIVE_UP_MS;
import static io.feitian.job.grants.JobGrants.ADOPT_WAIT_MS;
import static io.feitian.job.grants.JobGrants.MAX_LAUNCH_FAILURES;
import static io.feitian.job.grants.JobGrants.UNREACHABLE_AVOID_MS;
import static io.feitian.job.grants.JobGrantsTest.grant;
import static org.assertj.core.api.Assertions.assertThat;

import io.feitian.job.grants.Effect.AdjustDemand;
import io.feitian.job.grants.Effect.AskForWorkers;
import io.feitian.job.grants.Effect.Decline;
import io.feitian.job.grants.Effect.DropRevoked;
import io.feitian.job.grants.Effect.FailJob;
import io.feitian.job.grants.Effect.Launch;
import io.feitian.job.grants.Effect.NodeLost;
import io.feitian.job.grants.Effect.RefuseWorker;
import io.feitian.job.grants.Effect.ResumeWork;
import io.feitian.job.grants.Effect.ReturnGrant;
import io.feitian.job.grants.Effect.WakeAt;
import io.feitian.proto.fuxi.v1.Grant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Random schedules against a model of what the book must hold: a restarted
 * master's claimed grants, whose workers' hellos are lost, late or
 * duplicated; Fuxi's grants, taken or declined, and revocations; launches
 * that fail (unreachable or refused) and workers that end; nodes' answers
 * about their workers, lost or late; timers that fire late or a moment
 * early. After every event:
 *
 * <ul>
 *   <li>HELD_EXACT: the book holds exactly the grants taken (claimed or
 *       launched) and not returned, revoked or ended; per task counts agree
 *       and are never negative.
 *   <li>NEVER_BOTH: a grant returned, declined or revoked is never held, and
 *       is returned at most once.
 *   <li>HELLO: a worker is accepted if and only if its grant is held for its task.
 *   <li>HOLD: new work is held back only while claimed grants are awaited,
 *       never from {@code ADOPT_WAIT_MS} after the start, and
 *       {@code ResumeWork} comes once, when the hold ends.
 *   <li>ADOPTION: from {@code ADOPT_GIVE_UP_MS} after the start (at the
 *       first wake-up since), every claimed grant was either helloed,
 *       returned or revoked.
 *   <li>AVOID: a grant is taken if and only if its task wants it, its node
 *       is not avoided, and no launch there was unreachable in the last
 *       {@code UNREACHABLE_AVOID_MS}.
 *   <li>FAILURES: the job fails at each refused launch beyond
 *       {@code MAX_LAUNCH_FAILURES}, never before.
 * </ul>
 *
 * A failure names the schedule's seed; replay it with
 * {@code -Djobgrants.seed=N} ({@code -Djobgrants.schedules=N} changes how
 * many random schedules run besides the fixed ones).
 */
class JobGrantsPropertyTest {
  static final int SCHEDULES = Integer.getInteger("jobgrants.schedules", 500);
  static final int STEPS = 300;
  static final List<String> TASKS = List.of("map", "reduce");
  static final List<String> NODES = List.of("n0", "n1", "n2", "n3");

  @Test
  void randomSchedulesKeepTheInvariants() {
    List<Long> seeds = new ArrayList<>();
    String replay = System.getProperty("jobgrants.seed");
    if (replay != null && !replay.isBlank()) {
      seeds.add(Long.parseLong(replay.trim()));
    } else {
      long fresh = System.nanoTime();
      System.out.println("JobGrantsPropertyTest: seeds 1.." + SCHEDULES + " and " + fresh + ".."
          + (fresh + SCHEDULES - 1));
      for (long i = 0; i < SCHEDULES; i++) {
        seeds.add(1 + i);
        seeds.add(fresh + i);
      }
    }
    Map<String, Integer> seen = new TreeMap<>();
    for (long seed : seeds) {
      Sim sim = new Sim(seed);
      sim.run();
      sim.seen.forEach((what, n) -> seen.merge(what, n, Integer::sum));
    }
    System.out.println("JobGrantsPropertyTest: " + seeds.size() + " schedules of " + STEPS + " steps; " + seen);
    if (replay == null) {
      assertThat(seen).as("the schedules exercised every decision").containsKeys(
          "Launch", "Decline", "DropRevoked", "AdjustDemand", "AskForWorkers", "WakeAt", "ResumeWork", "NodeLost",
          "FailJob", "RefuseWorker", "early wake-up", "duplicated hello", "lost hello", "end of the job",
          "ReturnGrant: claimed, but its worker did not come back",
          "ReturnGrant: claimed, but its node runs no worker in it",
          "ReturnGrant: its worker could not be started", "ReturnGrant: its worker ended");
    }
  }

  /** Something that happens at a time: a message arriving, a timer firing. */
  record Scheduled(long at, long order, Runnable event) {}

  static final class Sim {
    final long seed;
    final Random random;
    final JobGrants book = new JobGrants(TASKS);
    final long startedAt = 1_000_000;
    long now = startedAt;
    final PriorityQueue<Scheduled> queue = new PriorityQueue<>(
        (a, b) -> a.at() != b.at() ? Long.compare(a.at(), b.at()) : Long.compare(a.order(), b.order()));
    long order;
    final Map<String, Integer> seen = new TreeMap<>();
    String step = "start";

    // How unkind this schedule is.
    final double loseMessage;
    final double duplicateHello;
    final double launchRefused;
    final double launchUnreachable;

    // The model.
    final Map<Long, Grant> issued = new HashMap<>();
    final Map<Long, String> held = new HashMap<>();
    final Set<Long> gone = new HashSet<>();
    final Set<Long> claimed = new HashSet<>();
    final Set<Long> helloed = new HashSet<>();
    /** Grants with a live worker in them (what a node's answer lists). */
    final Set<Long> workerRuns = new HashSet<>();
    final Map<String, Long> unreachableUntil = new HashMap<>();
    long nextId = 1;
    int refusedLaunches;
    int failJobs;
    int resumes;
    boolean holding;
    boolean ended;
    long lastWakeUp;

    Sim(long seed) {
      this.seed = seed;
      this.random = new Random(seed);
      this.loseMessage = random.nextDouble() * 0.3;
      this.duplicateHello = random.nextDouble() * 0.3;
      this.launchRefused = random.nextDouble() * 0.6;
      this.launchUnreachable = random.nextDouble() * 0.3;
    }

    void run() {
      start();
      for (int i = 0; i < STEPS; i++) {
        advanceTo(now + random.nextInt(800));
        step = "step " + i;
        switch (random.nextInt(10)) {
          case 0, 1, 2 -> offer();
          case 3 -> revoke();
          case 4 -> endAWorker();
          case 5 -> staleHello();
          case 6 -> {
            if (random.nextInt(40) == 0 && !ended) {
              endTheJob();
            }
          }
          default -> { } // time passes
        }
        check();
      }
      advanceTo(Math.max(now, startedAt + ADOPT_GIVE_UP_MS) + 1_000);
      step = "the end";
      check();
      adoptionSettled();
    }

    /** A restarted master: some claimed grants have a worker that comes back, late, twice, or never. */
    void start() {
      List<Grant> claimedGrants = new ArrayList<>();
      for (int i = random.nextInt(7); i > 0; i--) {
        String task = random.nextInt(10) == 0 ? "other" : pick(TASKS);
        Grant g = issue(task);
        claimedGrants.add(g);
        if (!task.equals("other")) {
          claimed.add(g.getGrantId());
          held.put(g.getGrantId(), task);
        }
        if (random.nextInt(10) < 7) {
          workerStarts(g, random.nextInt((int) ADOPT_GIVE_UP_MS + 5_000));
        }
      }
      holding = !claimed.isEmpty();
      apply(book.start(claimedGrants, now));
      check();
    }

    /** Fuxi grants a unit; if the book takes it, the launch fails or a worker starts. */
    void offer() {
      Grant g = issue(random.nextInt(20) == 0 ? "other" : pick(TASKS));
      boolean wanted = !ended && random.nextInt(10) < 8;
      Set<String> avoid = NODES.stream().filter(n -> random.nextInt(8) == 0).collect(Collectors.toSet());
      boolean take = TASKS.contains(g.getUnit()) && wanted && !avoid.contains(g.getNodeId())
          && unreachableUntil.getOrDefault(g.getNodeId(), Long.MIN_VALUE) < now;
      List<Effect> effects = book.granted(g, wanted, avoid, now);
      check(effects.contains(new Launch(g)) == take, () -> "grant " + g.getGrantId() + " taken: " + effects
          + ", expected " + (take ? "taken" : "declined"));
      apply(effects);
    }

    void launched(Grant g) {
      double r = random.nextDouble();
      if (r < launchUnreachable) {
        later(random.nextInt(3_000), () -> {
          step += ", launch on unreachable " + g.getNodeId();
          unreachableUntil.put(g.getNodeId(), now + UNREACHABLE_AVOID_MS);
          apply(book.launchFailed(g, true, "UNAVAILABLE", now));
        });
      } else if (r < launchUnreachable + launchRefused) {
        later(random.nextInt(1_000), () -> {
          step += ", launch refused on " + g.getNodeId();
          refusedLaunches++;
          apply(book.launchFailed(g, false, "refused", now));
        });
      } else {
        workerStarts(g, random.nextInt(2_000));
      }
    }

    /** A worker runs in {@code g} and says hello after {@code delay}: maybe never, maybe twice. */
    void workerStarts(Grant g, int delay) {
      workerRuns.add(g.getGrantId());
      if (random.nextDouble() < loseMessage) {
        seen.merge("lost hello", 1, Integer::sum);
        return;
      }
      later(delay, () -> hello(g.getGrantId(), g.getUnit()));
      if (random.nextDouble() < duplicateHello) {
        seen.merge("duplicated hello", 1, Integer::sum);
        later(delay + random.nextInt(5_000), () -> hello(g.getGrantId(), g.getUnit()));
      }
    }

    void hello(long id, String task) {
      step += ", hello from grant " + id + " for " + task;
      List<Effect> effects = book.hello(id, task);
      boolean accept = task.equals(held.get(id));
      boolean refused = effects.stream().anyMatch(RefuseWorker.class::isInstance);
      check(refused != accept, () -> "hello from grant " + id + " for " + task + " (held for " + held.get(id) + "): "
          + effects);
      check(!refused || effects.size() == 1, () -> "a refused hello changed something: " + effects);
      if (accept && claimed.contains(id)) {
        helloed.add(id);
      }
      apply(effects);
    }

    /** A worker that is not (or no longer) ours says hello: for a grant gone, never issued, or another task. */
    void staleHello() {
      long id = random.nextInt(3) == 0 || issued.isEmpty() ? nextId + 1_000 : pick(List.copyOf(issued.keySet()));
      hello(id, random.nextInt(4) == 0 ? "other" : pick(TASKS));
    }

    void revoke() {
      if (issued.isEmpty()) {
        return;
      }
      long id = pick(List.copyOf(issued.keySet()));
      boolean nodeLost = random.nextBoolean();
      step += ", revoke " + id + (nodeLost ? " (node lost)" : "");
      List<Effect> effects = book.revoked(id, nodeLost, "revoked");
      boolean wasHeld = held.containsKey(id);
      check(effects.contains(new DropRevoked(id, nodeLost, "revoked")) == wasHeld, () -> "revocation of " + id + ": " + effects);
      check(effects.stream().anyMatch(NodeLost.class::isInstance) == (wasHeld && nodeLost), () ->
          "node lost with " + id + ": " + effects);
      workerRuns.remove(id);
      apply(effects);
    }

    /**
     * The worker in a held grant ends (a claimed grant's only once it is back: the job-master learns of a
     * worker's end from its stream).
     */
    void endAWorker() {
      List<Long> candidates = held.keySet().stream().filter(helloedOrLaunched()::contains).sorted().toList();
      if (candidates.isEmpty()) {
        return;
      }
      long id = pick(candidates);
      step += ", worker of " + id + " ends";
      workerRuns.remove(id);
      List<Effect> effects = book.workerEnded(id);
      check(effects.equals(List.of(new ReturnGrant(id, "its worker ended"))), () -> "worker of " + id + " ended: "
          + effects);
      apply(effects);
    }

    Set<Long> helloedOrLaunched() {
      Set<Long> s = new HashSet<>(workerRuns);
      s.removeIf(id -> claimed.contains(id) && !helloed.contains(id));
      return s;
    }

    void endTheJob() {
      step += ", the job ends";
      seen.merge("end of the job", 1, Integer::sum);
      ended = true;
      List<Long> returned = book.endAll();
      check(Set.copyOf(returned).equals(held.keySet()),
          () -> "the end returned " + returned + ", held " + held.keySet());
      gone.addAll(returned);
      held.clear();
    }

    /** Carries out the book's effects as the job-master would, checking each against the model. */
    void apply(List<Effect> effects) {
      for (Effect e : effects) {
        seen.merge(e.getClass().getSimpleName(), 1, Integer::sum);
        if (e instanceof Launch l) {
          long id = l.grant().getGrantId();
          check(!gone.contains(id) && held.put(id, l.grant().getUnit()) == null, () -> "launched in " + id + " again");
          launched(l.grant());
        } else if (e instanceof Decline d) {
          check(!held.containsKey(d.grantId()), () -> "declined " + d.grantId() + ", which it holds");
          gone.add(d.grantId());
        } else if (e instanceof ReturnGrant r) {
          seen.merge("ReturnGrant: " + r.why(), 1, Integer::sum);
          check(held.remove(r.grantId()) != null, () -> "returned " + r.grantId() + ", which it does not hold");
          gone.add(r.grantId());
        } else if (e instanceof DropRevoked d) {
          check(held.remove(d.grantId()) != null, () -> "dropped " + d.grantId() + ", which it does not hold");
          gone.add(d.grantId());
        } else if (e instanceof AdjustDemand a) {
          check(TASKS.contains(a.task()), () -> "demand of " + a.task());
        } else if (e instanceof AskForWorkers a) {
          check(holding, () -> "asked " + a.nodeAddress() + " for workers with nothing claimed");
          if (random.nextDouble() >= loseMessage) {
            later(random.nextInt(3_000), () -> answer(a.nodeAddress()));
          }
        } else if (e instanceof WakeAt w) {
          check(w.at() >= now, () -> "asked to be woken up in the past: " + w.at() + " at " + now);
          boolean early = random.nextInt(8) == 0;
          if (early) {
            seen.merge("early wake-up", 1, Integer::sum);
          }
          later(w.at() - now + (early ? -1 : random.nextInt(300)), this::wakeUp);
        } else if (e instanceof ResumeWork) {
          resumes++;
          check(holding && resumes == 1, () -> "work resumed " + resumes + " times");
        } else if (e instanceof FailJob) {
          failJobs++;
        } else if (!(e instanceof NodeLost || e instanceof RefuseWorker)) {
          throw new AssertionError("unexpected effect " + e);
        }
      }
    }

    /** A node answers which grants of the job it runs workers in, as of now. */
    void answer(String nodeAddress) {
      step += ", " + nodeAddress + " answers";
      Set<Long> running = workerRuns.stream()
          .filter(id -> issued.get(id).getNodeAddress().equals(nodeAddress)).collect(Collectors.toSet());
      List<Effect> effects = book.workersListed(nodeAddress, running);
      for (Effect e : effects) {
        if (e instanceof ReturnGrant r) {
          check(!running.contains(r.grantId()) && issued.get(r.grantId()).getNodeAddress().equals(nodeAddress),
              () -> "returned " + r.grantId() + ", whose worker runs, or not on " + nodeAddress);
        }
      }
      apply(effects);
    }

    void wakeUp() {
      step += ", wake-up";
      lastWakeUp = Math.max(lastWakeUp, now);
      apply(book.tick(now));
    }

    void check() {
      Map<String, Long> perTask = held.values().stream().collect(Collectors.groupingBy(t -> t, Collectors.counting()));
      check(book.held().stream().map(Grant::getGrantId).collect(Collectors.toSet()).equals(held.keySet()), () ->
          "HELD_EXACT: book " + book.held().stream().map(Grant::getGrantId).toList() + ", model " + held.keySet());
      for (String task : TASKS) {
        int n = book.heldFor(task);
        check(n >= 0 && n == perTask.getOrDefault(task, 0L), () -> "HELD_EXACT: " + n + " held for " + task);
      }
      for (long id : gone) {
        check(!book.holds(id), () -> "NEVER_BOTH: " + id + " is gone and held");
      }
      Set<Long> awaiting = book.awaitingHello();
      for (long id : awaiting) {
        check(held.containsKey(id) && claimed.contains(id) && !helloed.contains(id), () -> "awaits " + id);
      }
      boolean holds = book.holdsNewWork(now);
      check(!holds || holding && resumes == 0 && !awaiting.isEmpty() && now < startedAt + ADOPT_WAIT_MS, () ->
          "HOLD: holds new work back at " + (now - startedAt) + " ms, awaiting " + awaiting);
      check(!holding || lastWakeUp < startedAt + ADOPT_WAIT_MS || resumes == 1 || ended,
          () -> "HOLD: the hold never ended");
      if (lastWakeUp >= startedAt + ADOPT_GIVE_UP_MS) {
        adoptionSettled();
      }
      Set<String> unreachable = unreachableUntil.entrySet().stream().filter(e -> e.getValue() >= now)
          .map(Map.Entry::getKey).collect(Collectors.toSet());
      check(book.unreachableNodes(now).equals(unreachable), () -> "AVOID: unreachable " + book.unreachableNodes(now));
      check(failJobs == Math.max(0, refusedLaunches - MAX_LAUNCH_FAILURES), () ->
          "FAILURES: " + failJobs + " failures of the job after " + refusedLaunches + " refused launches");
    }

    void adoptionSettled() {
      check(book.awaitingHello().isEmpty(), () -> "ADOPTION: still awaiting " + book.awaitingHello());
      for (long id : claimed) {
        check(helloed.contains(id) || gone.contains(id),
            () -> "ADOPTION: claimed grant " + id + " neither back nor gone");
      }
    }

    void check(boolean ok, java.util.function.Supplier<String> what) {
      if (!ok) {
        throw new AssertionError("seed " + seed + " (replay with -Djobgrants.seed=" + seed + "), " + step + " at "
            + (now - startedAt) + " ms: " + what.get());
      }
    }

    Grant issue(String task) {
      Grant g = grant(nextId++, task, pick(NODES));
      issued.put(g.getGrantId(), g);
      return g;
    }

    void later(long delay, Runnable event) {
      queue.add(new Scheduled(now + Math.max(0, delay), order++, event));
    }

    /** Delivers what is due by {@code until}, in time order, each at its own time. */
    void advanceTo(long until) {
      while (!queue.isEmpty() && queue.peek().at() <= until) {
        Scheduled next = queue.poll();
        now = Math.max(now, next.at());
        step = "event";
        next.event().run();
        check();
      }
      now = until;
    }

    <T> T pick(List<T> from) {
      return from.get(random.nextInt(from.size()));
    }
  }
}
