package io.feitian.client.shennong;

import com.typesafe.config.Config;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A daemon's reporting to its node's shennong-agent: every interval, on its own thread, takes the
 * next {@link DaemonReport} from a {@link Source} and hands it to a {@link ShennongWriter}.
 * {@link #close()} takes one last report and waits for the writer's last flush, so what a daemon
 * saw just before it exits (a job's end) is not lost with it.
 */
public final class PeriodicReporter implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(PeriodicReporter.class);
  /** How long a source should wait for a view of its daemon's state (its loop may be busy). */
  public static final Duration VIEW_WAIT = Duration.ofSeconds(5);

  /** The daemon's side: its next report, typically a view taken on its loop turned into figures and events by a pure core. */
  @FunctionalInterface
  public interface Source {
    /**
     * Called on the reporter's thread, one call at a time (the last one on the thread closing the
     * reporter). A call that throws reports nothing this time; the next one is taken as usual.
     */
    DaemonReport next() throws Exception;
  }

  private final ShennongWriter writer;
  private final Source source;
  private final ScheduledExecutorService timer;
  private final AtomicBoolean closed = new AtomicBoolean();

  /** Starts reporting every {@code interval}; the first report is taken one interval from now. */
  public PeriodicReporter(ShennongWriter writer, String name, Duration interval, Source source) {
    if (interval.isNegative() || interval.isZero()) {
      throw new IllegalArgumentException("interval must be positive, got " + interval);
    }
    this.writer = writer;
    this.source = source;
    this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, name + "-reporter");
      t.setDaemon(true);
      return t;
    });
    timer.scheduleWithFixedDelay(this::report, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
  }

  /**
   * A reporter for a daemon as its configuration says ({@code feitian.shennong}: the agent, the
   * interval, whether to report at all), writing as {@code source} with constant {@code labels}.
   */
  public static Optional<PeriodicReporter> forDaemon(Config config, String source, Map<String, String> labels,
      Source next) {
    Duration interval = config.getDuration("feitian.shennong.interval");
    return ShennongWriter.forDaemon(config, source, labels).map(w -> new PeriodicReporter(w, source, interval, next));
  }

  private void report() {
    DaemonReport r;
    try {
      r = source.next();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return;
    } catch (Exception e) {
      log.debug("nothing to report this time: {}", e.toString());
      return;
    }
    r.writeTo(writer);
  }

  /**
   * Stops the timer (a report in progress finishes), takes a last report and closes the writer,
   * which flushes once more and waits at most its deadline for the agent. Idempotent.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    timer.shutdown();
    boolean idle = false;
    try {
      // A well-behaved source waits at most VIEW_WAIT for its view.
      idle = timer.awaitTermination(VIEW_WAIT.toMillis() * 2, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (idle) {
      report();
    } else {
      // Never two calls of the source at once: its core is not thread-safe.
      log.warn("a report did not finish within {}; no last report", VIEW_WAIT.multipliedBy(2));
      timer.shutdownNow();
    }
    writer.close();
  }
}
