package io.feitian.dayu.agent.node;

import io.feitian.dayu.agent.node.RestartBackoff.Decision;
import io.feitian.dayu.agent.node.RestartBackoff.History;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts again the supervised modules whose process ended without the agent stopping it, what
 * systemd's {@code Restart=} does for units, with {@link RestartBackoff}'s pauses. Its first look,
 * when the agent starts, finds every module that ran before the node rebooted (their pid files
 * name processes gone) and starts it again, as systemd starts the enabled units at boot.
 *
 * <p>Every end seen and every restart is logged, and a line is appended to the module's
 * {@code stderr.log}, where an operator looking at a misbehaving module looks (and which a failing
 * health-check step quotes the end of).
 *
 * <p>One thread looks every {@code period}. Not guaranteed: an end is seen up to a period late, so
 * a process's time up, which decides whether its row of restarts starts over, is that much long.
 */
public final class Restarter implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Restarter.class);
  /** Grace of a stop the restart might need (it never does: the process is gone). */
  private static final Duration GRACE = Duration.ofSeconds(30);

  private final Supervisor supervisor;
  private final NodeLayout layout;
  private final RestartBackoff backoff;
  private final LongSupplier clockMillis;
  private final ScheduledExecutorService thread;
  private final Map<String, History> histories = new HashMap<>();
  private final Map<String, Decision> pending = new HashMap<>();
  private final AtomicLong looks = new AtomicLong();

  public Restarter(Supervisor supervisor, NodeLayout layout, RestartBackoff backoff, LongSupplier clockMillis) {
    this.supervisor = supervisor;
    this.layout = layout;
    this.backoff = backoff;
    this.clockMillis = clockMillis;
    this.thread = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "dayu-restarter");
      t.setDaemon(true);
      return t;
    });
  }

  /** Looks now, then every {@code period}. */
  public Restarter start(Duration period) {
    thread.scheduleWithFixedDelay(this::lookSafely, 0, period.toMillis(), TimeUnit.MILLISECONDS);
    return this;
  }

  /** How many looks are done, so that a test can wait for some to pass. */
  public long looks() {
    return looks.get();
  }

  private void lookSafely() {
    try {
      look();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException | IOException e) {
      log.warn("looking for ended module processes failed: {}", e.toString());
    }
    looks.incrementAndGet();
  }

  /** One look: notes the ends not seen before, restarts those whose pause is over. Runs on the restarter's thread. */
  void look() throws IOException, InterruptedException {
    List<String> ended = supervisor.ended();
    pending.keySet().retainAll(ended); // stopped on purpose, removed, or started by a step meanwhile
    long now = clockMillis.getAsLong();
    for (String module : ended) {
      Decision d = pending.get(module);
      if (d == null) {
        d = backoff.onEnd(histories.getOrDefault(module, History.NONE), now);
        pending.put(module, d);
        tell(module, "the process ended without the agent stopping it; restart " + d.inARow() + " in a row in "
            + d.delayMillis() + " ms");
      }
      if (now >= d.atMillis()) {
        pending.remove(module);
        histories.put(module, d.done(now));
        try {
          Optional<String> did = supervisor.restart(module, GRACE);
          if (did.isPresent()) {
            tell(module, "restarted " + did.get() + " (restart " + d.inARow() + " in a row)");
          }
        } catch (IOException e) {
          // Counted as a restart: the next try comes after a longer pause.
          tell(module, "restart " + d.inARow() + " in a row failed: " + e.getMessage());
        }
      }
    }
  }

  /** Logs what happened to a module and appends it to the module's error log. */
  private void tell(String module, String what) {
    log.warn("module {}: {}", module, what);
    String line = "dayu-agent " + Instant.now() + ": " + what + "\n";
    try {
      if (Files.isDirectory(layout.moduleDir(module))) {
        Files.writeString(layout.stderr(module), line, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
            StandardOpenOption.APPEND);
      }
    } catch (IOException e) {
      log.warn("cannot append to {}: {}", layout.stderr(module), e.toString());
    }
  }

  @Override
  public void close() throws InterruptedException {
    thread.shutdownNow();
    thread.awaitTermination(30, TimeUnit.SECONDS);
  }
}
