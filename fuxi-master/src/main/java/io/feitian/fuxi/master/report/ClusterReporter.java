package io.feitian.fuxi.master.report;

import io.feitian.client.shennong.ShennongWriter;
import io.feitian.fuxi.master.term.LeaderTerm;
import io.feitian.proto.fuxi.v1.ClusterStatus;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * While this master leads, reports the cluster to its node's shennong-agent every interval: the
 * term's view ({@code ClusterStatus}, as `feitian cluster status` shows it) through
 * {@link ClusterReport}. A standby reports nothing. Never in the term's way: the view is taken on
 * the term's loop like any status call, and the writer never blocks.
 */
public final class ClusterReporter implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ClusterReporter.class);

  private final ShennongWriter writer;
  private final Supplier<LeaderTerm> term;
  private final String address;
  private final ClusterReport report = new ClusterReport();
  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "fuxi-master-reporter");
    t.setDaemon(true);
    return t;
  });

  /** Starts reporting every {@code intervalMillis}. */
  public ClusterReporter(ShennongWriter writer, Supplier<LeaderTerm> term, String address, long intervalMillis) {
    this.writer = writer;
    this.term = term;
    this.address = address;
    timer.scheduleWithFixedDelay(this::tick, intervalMillis, intervalMillis, TimeUnit.MILLISECONDS);
  }

  private void tick() {
    LeaderTerm t = term.get();
    if (t == null) {
      writer.gauge("fuxi.master.leader").set(0);
      return;
    }
    ClusterStatus status;
    try {
      status = t.call(() -> t.admin().status()).get(5, TimeUnit.SECONDS);
    } catch (Exception e) {
      log.debug("no cluster view to report this time: {}", e.toString());
      return;
    }
    writer.gauge("fuxi.master.leader").set(1);
    ClusterReport.Report r = report.next(status, address);
    r.figures().forEach((name, value) -> writer.gauge(name).set(value));
    for (ClusterReport.Event e : r.events()) {
      writer.event(e.name(), e.severity(), e.message(), e.labels());
    }
  }

  @Override
  public void close() {
    timer.shutdownNow();
    writer.close();
  }
}
