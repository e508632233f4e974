package io.feitian.dayu.agent;

import io.feitian.proto.dayu.v1.ModuleWork;
import io.feitian.proto.dayu.v1.StepReport;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the node's work one piece at a time, in the order it came, on a thread of its own. A piece
 * already queued or running is not queued again (the server re-sends outstanding work on every
 * Watch). Steps an earlier life of the agent finished are reported, not rerun; a failed step ends
 * the piece (the server decides what follows).
 */
final class Worker implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Worker.class);

  /** What a step report goes through; returns false when the agent is stopping. */
  interface Reports {
    boolean report(StepReport report) throws InterruptedException;
  }

  private final NodeSteps steps;
  private final Reports reports;
  private final Set<String> pending = ConcurrentHashMap.newKeySet();
  private final ExecutorService thread = Executors.newSingleThreadExecutor(r -> {
    Thread t = new Thread(r, "dayu-agent-worker");
    t.setDaemon(true);
    return t;
  });

  Worker(NodeSteps steps, Reports reports) {
    this.steps = steps;
    this.reports = reports;
  }

  void offer(ModuleWork work) {
    String key = work.getRolloutId() + " " + work.getModule() + " " + work.getFromVersion() + " " + work.getToVersion();
    if (!pending.add(key)) {
      return;
    }
    try {
      thread.execute(() -> {
        try {
          run(work);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
          log.warn("work on {} failed unexpectedly", key, e);
        } finally {
          pending.remove(key);
        }
      });
    } catch (RejectedExecutionException stopping) {
      pending.remove(key);
    }
  }

  private void run(ModuleWork w) throws InterruptedException {
    int done = steps.done(w);
    log.info("rollout {}: {} {} -> {} ({}), steps {} to {}", w.getRolloutId(), w.getModule(),
        w.getFromVersion().isEmpty() ? "none" : w.getFromVersion(), w.getToVersion().isEmpty() ? "none"
            : w.getToVersion(), w.getPurpose(), w.getFirstStep(), w.getStepsCount() - 1);
    for (int i = w.getFirstStep(); i < w.getStepsCount(); i++) {
      NodeSteps.Outcome o = i < done ? new NodeSteps.Outcome(true, "done before the agent restarted")
          : steps.run(w, i);
      if (!o.ok()) {
        log.warn("rollout {}: step {} ({}) of {} failed: {}", w.getRolloutId(), i, w.getSteps(i).getKind(),
            w.getModule(), o.detail());
      }
      StepReport report = StepReport.newBuilder().setRolloutId(w.getRolloutId()).setModule(w.getModule())
          .setToVersion(w.getToVersion()).setStep(i).setOk(o.ok()).setDetail(o.detail()).build();
      if (!reports.report(report) || !o.ok()) {
        return;
      }
    }
  }

  @Override
  public void close() {
    thread.shutdownNow();
  }
}
