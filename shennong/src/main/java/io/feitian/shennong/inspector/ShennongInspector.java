package io.feitian.shennong.inspector;

import com.typesafe.config.Config;
import io.feitian.common.grpc.Channels;
import io.feitian.common.lifecycle.Daemon;
import io.feitian.common.security.SecuritySettings;
import io.grpc.ManagedChannel;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The shennong-inspector daemon: one thread that, every interval, reads the machine
 * ({@link OshiProbe}), turns the reading into samples ({@link Inspection}) and writes them to the
 * node's agent ({@link AgentSender}). It serves nothing. Readings run at a fixed rate, so samples
 * stay one interval apart and a subscription's windows each hold one; a reading that runs late is
 * followed at once by the next.
 */
public final class ShennongInspector implements Daemon {
  private static final Logger log = LoggerFactory.getLogger(ShennongInspector.class);

  private final InspectorSettings settings;
  private final SecuritySettings security;
  private final ScheduledExecutorService thread;
  private ManagedChannel channel;
  private AgentSender sender;

  public ShennongInspector(Config config) {
    this.settings = InspectorSettings.from(config);
    this.security = SecuritySettings.from(config);
    this.thread = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "shennong-inspector");
      t.setDaemon(true);
      return t;
    });
  }

  @Override
  public void start() {
    OshiProbe probe = new OshiProbe(settings.discoveryInterval().toNanos());
    Inspection inspection = new Inspection(Map.of("node", settings.nodeId()));
    channel = Channels.open(settings.agent(), security);
    sender = new AgentSender(settings.agent(), channel, settings.interval());
    long interval = settings.interval().toNanos();
    thread.scheduleAtFixedRate(() -> {
      try {
        sender.send(inspection.samples(probe.read()));
      } catch (RuntimeException e) {
        // A periodic task that throws is never run again: the inspector must outlive one bad reading.
        log.error("a reading failed", e);
      }
    }, 0, interval, TimeUnit.NANOSECONDS);
  }

  /** Whether the agent took the last reading (false before the first). */
  boolean agentAnswering() {
    return sender != null && sender.answering();
  }

  @Override
  public String describe() {
    return "shennong-inspector of node " + settings.nodeId() + ", every " + settings.interval().toMillis()
        + " ms to shennong-agent " + settings.agent();
  }

  @Override
  public void close() {
    thread.shutdownNow();
    try {
      thread.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (channel != null) {
      Channels.close(channel);
    }
  }
}
