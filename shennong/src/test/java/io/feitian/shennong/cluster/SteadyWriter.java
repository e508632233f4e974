package io.feitian.shennong.cluster;

import io.feitian.proto.shennong.v1.Sample;
import io.feitian.proto.shennong.v1.WriteRequest;
import io.feitian.shennong.agent.ShennongAgent;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Writes one sample of value 1 to each of its agents every 50 ms and remembers the timestamp of
 * every sample an agent accepted, so a test knows exactly how many samples each window holds.
 * Timestamps run {@link #AHEAD_MS} ahead of the clock: a window is evaluated after its end, so a
 * sample stamped inside it was written at least that long before, however loaded the machine.
 */
final class SteadyWriter {
  static final long AHEAD_MS = 1000;

  private final ShennongFixture cluster;
  private final String series;
  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
  private final ConcurrentHashMap<ShennongAgent, Long> lastTs = new ConcurrentHashMap<>();
  private final ConcurrentLinkedQueue<Long> accepted = new ConcurrentLinkedQueue<>();

  SteadyWriter(ShennongFixture cluster, String series) {
    this.cluster = cluster;
    this.series = series;
  }

  void writeTo(ShennongAgent agent) {
    lastTs.put(agent, 0L);
  }

  void stopWritingTo(ShennongAgent agent) {
    lastTs.remove(agent);
  }

  void start() {
    timer.scheduleAtFixedRate(this::tick, 0, 50, TimeUnit.MILLISECONDS);
  }

  private void tick() {
    for (ShennongAgent agent : List.copyOf(lastTs.keySet())) {
      long ts = Math.max(lastTs.getOrDefault(agent, 0L) + 1, System.currentTimeMillis() + AHEAD_MS);
      try {
        int ok = cluster.agentStub(agent).withDeadlineAfter(2, TimeUnit.SECONDS).write(WriteRequest.newBuilder()
            .setSource("steady").addSamples(Sample.newBuilder().setName(series).setTimestampMs(ts).setValue(1))
            .build()).getAcceptedSamples();
        if (ok == 1) {
          accepted.add(ts);
          lastTs.computeIfPresent(agent, (a, old) -> ts);
        }
      } catch (RuntimeException e) {
        // the agent is going or gone: nothing was accepted
      }
    }
  }

  /** Samples accepted with timestamps in (startMs, endMs]. */
  long samplesIn(long startMs, long endMs) {
    return accepted.stream().filter(ts -> ts > startMs && ts <= endMs).count();
  }

  void stop() {
    timer.shutdownNow();
  }
}
