package io.feitian.bench.shennong;

import com.sun.management.ThreadMXBean;
import io.feitian.bench.LatencyHistogram;
import io.feitian.proto.shennong.v1.GroupResult;
import io.feitian.proto.shennong.v1.Label;
import io.feitian.proto.shennong.v1.SubscriptionUpdate;
import io.feitian.shennong.monitor.alerts.AlertEvaluator;
import io.feitian.shennong.monitor.alerts.AlertState;
import io.feitian.shennong.monitor.alerts.Transition;
import io.feitian.shennong.monitor.json.MonitorSnapshot;
import io.feitian.shennong.monitor.notify.NotifyPolicy;
import io.feitian.shennong.monitor.notify.Notifier;
import io.feitian.shennong.monitor.notify.Silences;
import io.feitian.shennong.monitor.rules.RuleParser;
import io.feitian.shennong.monitor.rules.RuleSet;
import io.feitian.shennong.monitor.service.HistoryEntry;
import io.feitian.shennong.monitor.service.StateEncoding;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * What monitor-service's pure rule core costs per evaluation cycle at scale: {@code --rules}
 * threshold rules over {@code --series} active series ({@code series / rules} groups per rule,
 * grouped by node over {@code --nodes} nodes), driven by a simulated clock exactly as
 * MonitorTerm drives it, without the shell's I/O.
 *
 * <p>Each rule reads its own series name ({@code avg by node ... > 0.9}, {@code for = 30s}, a
 * label and an annotation template, window and step 10 s, the parser's default step). Every
 * simulated 10 s every rule's subscription delivers one window (a {@code SubscriptionUpdate} as
 * the master streams it, built before the clock starts): {@link AlertEvaluator#observeUpdate}
 * for each. Every simulated second (the default {@code evaluation-interval}) one cycle:
 * {@link AlertEvaluator#evaluate}, then {@link Notifier#step} with the evaluator's alerts. A
 * fraction {@code --holding} of the groups is above the threshold; at each window a fraction
 * {@code --churn} of the groups draws again whether it holds, so alerts keep going pending,
 * firing and resolved. Reported: wall time and bytes allocated (this thread) per cycle, per round
 * of windows, and per state snapshot (evaluator and notifier to JSON, what MonitorTerm writes to
 * ZooKeeper after every cycle with a transition), median, p99 and max; and the bytes such a cycle
 * writes to ZooKeeper, as {@code StateStore} writes them ({@link StateEncoding}: the snapshot
 * deflated in chunks, the cycle's new transitions appended) and as the one-znode state of before
 * wrote them (the snapshot's JSON and the newest {@code history-kept} = 1,000 transitions, whole).
 *
 * <pre>
 * java -Xmx2g -cp bench/target/classes:$(cat bench/target/classpath.txt) \
 *     io.feitian.bench.shennong.RuleEvaluationBenchmark [--rules 10000] [--series 100000] [--nodes 1000] \
 *     [--holding 0.01] [--churn 0.01] [--warmup-rounds 12] [--rounds 30] [--seed N]
 * </pre>
 */
public final class RuleEvaluationBenchmark {
  private static final long T0 = 1_800_000_000_000L;
  private static final long STEP_MS = 10_000;
  private static final long EVALUATION_MS = 1_000;
  private static final int HISTORY_KEPT = 1_000;
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final ThreadMXBean THREADS = (ThreadMXBean) ManagementFactory.getThreadMXBean();

  private RuleEvaluationBenchmark() {}

  /** Time and bytes allocated of one kind of work. */
  private static final class Cost {
    final String what;
    final LatencyHistogram nanos = new LatencyHistogram();
    final LatencyHistogram bytes = new LatencyHistogram();

    Cost(String what) {
      this.what = what;
    }

    <T> T measure(java.util.function.Supplier<T> work) {
      long b0 = THREADS.getCurrentThreadAllocatedBytes();
      long t0 = System.nanoTime();
      T out = work.get();
      nanos.record(System.nanoTime() - t0);
      bytes.record(THREADS.getCurrentThreadAllocatedBytes() - b0);
      return out;
    }

    void print() {
      System.out.printf(Locale.ROOT, "%-42s n=%5d  ms p50 %8.2f  p99 %8.2f  max %8.2f   MB allocated p50 %7.1f  p99 %7.1f%n",
          what, nanos.count(), nanos.percentile(0.5) / 1e6, nanos.percentile(0.99) / 1e6, nanos.max() / 1e6,
          bytes.percentile(0.5) / 1e6, bytes.percentile(0.99) / 1e6);
    }

    void reset() {
      nanos.reset();
      bytes.reset();
    }
  }

  public static void main(String[] args) {
    int rules = 10_000;
    int series = 100_000;
    int nodes = 1_000;
    double holding = 0.01;
    double churn = 0.01;
    int warmupRounds = 12;
    int rounds = 30;
    long seed = System.nanoTime();
    for (int i = 0; i < args.length; i += 2) {
      switch (args[i]) {
        case "--rules" -> rules = Integer.parseInt(args[i + 1]);
        case "--series" -> series = Integer.parseInt(args[i + 1]);
        case "--nodes" -> nodes = Integer.parseInt(args[i + 1]);
        case "--holding" -> holding = Double.parseDouble(args[i + 1]);
        case "--churn" -> churn = Double.parseDouble(args[i + 1]);
        case "--warmup-rounds" -> warmupRounds = Integer.parseInt(args[i + 1]);
        case "--rounds" -> rounds = Integer.parseInt(args[i + 1]);
        case "--seed" -> seed = Long.parseLong(args[i + 1]);
        default -> throw new IllegalArgumentException("unknown option " + args[i] + " (--rules, --series, --nodes,"
            + " --holding, --churn, --warmup-rounds, --rounds, --seed)");
      }
    }
    if (series % rules != 0) {
      throw new IllegalArgumentException("--series " + series + " must be a multiple of --rules " + rules);
    }
    int groups = series / rules;
    System.out.printf(Locale.ROOT, "%,d rules x %,d groups = %,d series over %,d nodes; holding %.3f, churn %.3f,"
        + " seed %d%n", rules, groups, series, nodes, holding, churn, seed);
    Random random = new Random(seed);

    long t0 = System.nanoTime();
    RuleSet ruleSet = RuleSet.of(List.of(RuleParser.parse("bench.conf", ruleFile(rules))));
    System.out.printf(Locale.ROOT, "parsing %,d rules: %.0f ms%n", rules, (System.nanoTime() - t0) / 1e6);

    // Which groups hold, redrawn in part at each window; values chosen so that avg > 0.9 holds exactly for them.
    boolean[] holds = new boolean[series];
    for (int i = 0; i < series; i++) {
      holds[i] = random.nextDouble() < holding;
    }
    String[] nodeNames = new String[nodes];
    for (int n = 0; n < nodes; n++) {
      nodeNames[n] = "n" + n;
    }

    AlertEvaluator evaluator = new AlertEvaluator(ruleSet, T0);
    Notifier notifier = new Notifier(new NotifyPolicy(List.of("alertname"), 30_000, 300_000, 4 * 3_600_000L),
        List.of(), new Silences());
    Cost observe = new Cost("a round of windows (" + rules + " updates)");
    Cost evaluate = new Cost("evaluate");
    Cost notify = new Cost("notifier.step(alerts())");
    Cost cycle = new Cost("cycle: evaluate + notifier.step");
    Cost snapshot = new Cost("snapshot to JSON");
    Cost encode = new Cost("deflate into chunks (StateEncoding)");
    LatencyHistogram bytesBefore = new LatencyHistogram();
    LatencyHistogram bytesAfter = new LatencyHistogram();
    Deque<HistoryEntry> recent = new ArrayDeque<>();
    long now = T0;
    int transitions = 0;
    int notifications = 0;
    int snapshotChars = 0;
    for (int round = 0; round < warmupRounds + rounds; round++) {
      if (round == warmupRounds) {
        List.of(observe, evaluate, notify, cycle, snapshot, encode).forEach(Cost::reset);
        bytesBefore.reset();
        bytesAfter.reset();
        transitions = 0;
        notifications = 0;
      }
      for (int i = 0; i < series; i++) {
        if (random.nextDouble() < churn) {
          holds[i] = random.nextDouble() < holding;
        }
      }
      List<SubscriptionUpdate> updates = updates(rules, groups, nodeNames, holds, now - STEP_MS);
      observe.measure(() -> {
        for (int r = 0; r < updates.size(); r++) {
          evaluator.observeUpdate(ruleName(r), updates.get(r));
        }
        return null;
      });
      for (long s = 0; s < STEP_MS / EVALUATION_MS; s++) {
        now += EVALUATION_MS;
        long at = now;
        long c0 = System.nanoTime();
        long b0 = THREADS.getCurrentThreadAllocatedBytes();
        List<Transition> changed = evaluate.measure(() -> evaluator.evaluate(at));
        notifications += notify.measure(() -> notifier.step(at, evaluator.alerts())).size();
        cycle.nanos.record(System.nanoTime() - c0);
        cycle.bytes.record(THREADS.getCurrentThreadAllocatedBytes() - b0);
        transitions += changed.size();
        if (!changed.isEmpty()) {
          String json = snapshot.measure(() -> new MonitorSnapshot(at, evaluator.snapshot(), notifier.snapshot())
              .toJson());
          snapshotChars = json.length();
          List<HistoryEntry> entries = changed.stream().map(t -> HistoryEntry.of(t, 1)).toList();
          entries.forEach(e -> {
            recent.addLast(e);
            if (recent.size() > HISTORY_KEPT) {
              recent.removeFirst();
            }
          });
          long after = encode.measure(() -> StateEncoding.snapshotChunks(json)).stream().mapToLong(c -> c.length)
              .sum();
          for (int at0 = 0; at0 < entries.size(); at0 += StateEncoding.HISTORY_BATCH) {
            after += StateEncoding.historyBatch(
                entries.subList(at0, Math.min(entries.size(), at0 + StateEncoding.HISTORY_BATCH))).length;
          }
          bytesAfter.record(after);
          bytesBefore.record(json.getBytes(StandardCharsets.UTF_8).length + jsonBytes(recent));
        }
      }
    }
    long[] byState = new long[AlertState.values().length];
    evaluator.alerts().forEach(a -> byState[a.state().ordinal()]++);
    System.out.printf(Locale.ROOT, "over %d measured rounds (%d cycles): %,d transitions, %,d notifications;"
        + " at the end %,d pending, %,d firing, %,d resolved; last snapshot %,d characters%n", rounds,
        rounds * STEP_MS / EVALUATION_MS, transitions, notifications, byState[AlertState.PENDING.ordinal()],
        byState[AlertState.FIRING.ordinal()], byState[AlertState.RESOLVED.ordinal()], snapshotChars);
    List.of(cycle, evaluate, notify, observe, snapshot, encode).forEach(Cost::print);
    System.out.printf(Locale.ROOT, "bytes to ZooKeeper per cycle with a transition (n=%d):%n"
        + "  one znode (snapshot + %d transitions, JSON) p50 %,11d  p99 %,11d  max %,11d%n"
        + "  deflated chunks + the new transitions      p50 %,11d  p99 %,11d  max %,11d%n",
        bytesAfter.count(), HISTORY_KEPT, bytesBefore.percentile(0.5), bytesBefore.percentile(0.99),
        bytesBefore.max(), bytesAfter.percentile(0.5), bytesAfter.percentile(0.99), bytesAfter.max());
  }

  private static long jsonBytes(Deque<HistoryEntry> entries) {
    try {
      return JSON.writeValueAsBytes(entries).length;
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String ruleName(int r) {
    return "Rule" + r;
  }

  /** Rule {@code r} reads {@code bench.m<r>}: each series reaches exactly one rule. */
  static String ruleFile(int rules) {
    StringBuilder out = new StringBuilder("rules = [\n");
    for (int r = 0; r < rules; r++) {
      out.append("  { name = ").append(ruleName(r))
          .append(", threshold { select = \"bench.m").append(r)
          .append("\", aggregate = avg, by = [node], window = 10s, step = 10s, condition = \"> 0.9\" }")
          .append(", for = 30s, labels { severity = warning }")
          .append(", annotations { summary = \"{{ $labels.node }} at {{ $value }}\" } }\n");
    }
    return out.append("]\n").toString();
  }

  /** One window per rule as the master streams it: every group of the rule, its value above 0.9 when it holds. */
  private static List<SubscriptionUpdate> updates(int rules, int groups, String[] nodes, boolean[] holds,
      long windowStartMs) {
    List<SubscriptionUpdate> out = new ArrayList<>(rules);
    for (int r = 0; r < rules; r++) {
      SubscriptionUpdate.Builder u = SubscriptionUpdate.newBuilder().setWindowStartMs(windowStartMs);
      for (int g = 0; g < groups; g++) {
        int i = r * groups + g;
        u.addGroups(GroupResult.newBuilder()
            .addGroup(Label.newBuilder().setName("node").setValue(nodes[i % nodes.length]))
            .setValue(holds[i] ? 0.95 : 0.5).setSamples(10).setSeries(1));
      }
      out.add(u.build());
    }
    return out;
  }
}
