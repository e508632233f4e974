package io.feitian.shennong.exec;

import static org.assertj.core.api.Assertions.assertThat;

import io.feitian.proto.shennong.v1.AddSubscription;
import io.feitian.proto.shennong.v1.Operation;
import io.feitian.proto.shennong.v1.PartialReport;
import io.feitian.proto.shennong.v1.Refusal;
import io.feitian.proto.shennong.v1.RefusalReason;
import io.feitian.proto.shennong.v1.Sample;
import io.feitian.proto.shennong.v1.SeriesSamples;
import io.feitian.proto.shennong.v1.SubscribeRequest;
import io.feitian.proto.shennong.v1.WriteRequest;
import io.feitian.proto.shennong.v1.WriteResponse;
import io.feitian.shennong.series.SeriesKey;
import io.feitian.shennong.series.EventLog;
import io.feitian.shennong.series.SeriesStore;
import io.feitian.shennong.series.SeriesWindow;
import io.feitian.shennong.series.StoreLimits;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Invariant: writing the same points as Samples or as SeriesSamples (the same series in the same
 * order) leaves identical stores, answers with the same counts per reason, and sends RAW
 * subscribers identical reports. The points are drawn to hit every rule: invalid names and
 * values, timestamps not newer than a series' newest, the per-source limit, labels with empty values.
 */
class WriteFormsPropertyTest {
  private static final long T0 = 1_700_000_000_000L;
  private static final String[] NAMES = {"cpu", "mem", "disk.io", "1bad"};
  private static final String[] NODES = {"a", "b", "c", ""};

  /** The same agent twice: one written per sample, one per series. */
  private static final class Agent {
    final List<PartialReport> reports = new ArrayList<>();
    final SubscriptionRunner runner = new SubscriptionRunner(new SeriesStore(new StoreLimits(120_000, 16, 5, 7)),
        new EventLog(600_000, 100), 0,
        T0, new SubscriptionRunner.Outbox() {
          @Override
          public void report(PartialReport report) {
            reports.add(report);
          }

          @Override
          public void refused(String subscriptionId, String reason) {
            throw new AssertionError(reason);
          }
        });

    Agent() {
      runner.add(AddSubscription.newBuilder().setSubscriptionId("all").setRequest(SubscribeRequest.newBuilder()
          .setSelector("*").setOperation(Operation.OPERATION_RAW)).build(), T0);
      runner.add(AddSubscription.newBuilder().setSubscriptionId("cpu-a").setRequest(SubscribeRequest.newBuilder()
          .setSelector("cpu{node=\"a\"}").setOperation(Operation.OPERATION_RAW)).build(), T0);
    }
  }

  @Test
  void bothFormsLeaveTheSameStoreAndSendTheSameRawReports() {
    long base = new Random().nextLong();
    System.out.println("WriteFormsPropertyTest seed base " + base);
    Set<RefusalReason> seen = EnumSet.noneOf(RefusalReason.class);
    long accepted = 0;
    for (int run = 0; run < 300; run++) {
      long seed = base + run;
      Random random = new Random(seed);
      Agent perSample = new Agent();
      Agent perSeries = new Agent();
      long now = T0;
      for (int write = 0; write < 1 + random.nextInt(6); write++) {
        List<SeriesSamples> series = series(random, now);
        now += 1 + random.nextInt(2000);
        WriteRequest.Builder samples = WriteRequest.newBuilder().setSource(random.nextInt(4) == 0 ? "other" : "app");
        WriteRequest.Builder columns = WriteRequest.newBuilder().setSource(samples.getSource()).addAllSeries(series);
        for (SeriesSamples s : series) {
          for (int p = 0; p < s.getTimestampsMsCount(); p++) {
            samples.addSamples(Sample.newBuilder().setName(s.getName()).putAllLabels(s.getLabelsMap())
                .setTimestampMs(s.getTimestampsMs(p)).setValue(s.getValues(p)));
          }
        }
        WriteResponse a = perSample.runner.write(samples.build(), now);
        WriteResponse b = perSeries.runner.write(columns.build(), now);
        assertThat(counts(b)).as("seed %d write %d", seed, write).isEqualTo(counts(a));
        accepted += a.getAcceptedSamples();
        a.getRefusalsList().forEach(r -> seen.add(r.getReason()));
      }
      assertThat(contents(perSeries.runner.store())).as("seed %d", seed).isEqualTo(contents(perSample.runner.store()));
      assertThat(perSeries.runner.store().outOfOrderSamples()).as("seed %d", seed)
          .isEqualTo(perSample.runner.store().outOfOrderSamples());
      assertThat(perSeries.runner.store().refusedSeries()).as("seed %d", seed)
          .isEqualTo(perSample.runner.store().refusedSeries());
      assertThat(perSeries.reports).as("seed %d", seed).isEqualTo(perSample.reports);
    }
    // The draw reaches every rule, or the comparison above proves little.
    assertThat(accepted).isPositive();
    assertThat(seen).containsExactlyInAnyOrder(RefusalReason.REFUSAL_REASON_INVALID,
        RefusalReason.REFUSAL_REASON_OUT_OF_ORDER, RefusalReason.REFUSAL_REASON_SOURCE_SERIES_LIMIT,
        RefusalReason.REFUSAL_REASON_AGENT_SERIES_LIMIT);
  }

  /** A few series, each with a few points oldest first (some equal, some invalid), after {@code fromMs}. */
  private static List<SeriesSamples> series(Random random, long fromMs) {
    List<SeriesSamples> out = new ArrayList<>();
    for (int i = 0; i < 1 + random.nextInt(5); i++) {
      SeriesSamples.Builder s = SeriesSamples.newBuilder().setName(NAMES[random.nextInt(NAMES.length)])
          .putLabels("node", NODES[random.nextInt(NODES.length)]);
      if (random.nextBoolean()) {
        s.putLabels("disk", "sd" + random.nextInt(3));
      }
      long t = fromMs - random.nextInt(3000);
      for (int p = 0; p < random.nextInt(8); p++) {
        t += random.nextInt(4) == 0 ? 0 : 1 + random.nextInt(500);
        int odd = random.nextInt(20);
        // A timestamp of 0 (invalid) only first: later it would go back in time, refusing the whole request.
        s.addTimestampsMs(odd == 0 && p == 0 ? 0 : t).addValues(odd == 1 ? Double.NaN : random.nextInt(100));
      }
      out.add(s.build());
    }
    return out;
  }

  /** A response without its first problems, which name the field of either form. */
  private static WriteResponse counts(WriteResponse response) {
    WriteResponse.Builder b = response.toBuilder().clearRefusals();
    for (Refusal r : response.getRefusalsList()) {
      b.addRefusals(r.toBuilder().clearFirst());
    }
    return b.build();
  }

  /** Every series' samples as text, by key. */
  private static Map<String, String> contents(SeriesStore store) {
    Map<String, String> out = new TreeMap<>();
    store.forEach((SeriesKey key, SeriesWindow w) -> {
      StringBuilder s = new StringBuilder();
      for (int i = 0; i < w.size(); i++) {
        s.append(w.timestampAt(i)).append('=').append(w.valueAt(i)).append(' ');
      }
      out.put(key.toString(), s.toString());
    });
    return out;
  }
}
