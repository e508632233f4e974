package io.feitian.fuxi.master.report;

import io.feitian.client.shennong.DaemonReport;
import io.feitian.client.shennong.PeriodicReporter;
import io.feitian.fuxi.master.term.LeaderTerm;
import io.feitian.proto.fuxi.v1.ClusterStatus;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * What this master reports each interval ({@link PeriodicReporter} calls it): while it leads, the
 * term's view ({@code ClusterStatus}, as `feitian cluster status` shows it) through
 * {@link ClusterReport}; a standby reports only {@code fuxi.master.leader} 0. Never in the term's
 * way: the view is taken on the term's loop like any status call.
 */
public final class ClusterReporter implements PeriodicReporter.Source {
  private final Supplier<LeaderTerm> term;
  private final String address;
  private final ClusterReport report = new ClusterReport();

  public ClusterReporter(Supplier<LeaderTerm> term, String address) {
    this.term = term;
    this.address = address;
  }

  @Override
  public DaemonReport next() throws Exception {
    LeaderTerm t = term.get();
    if (t == null) {
      return new DaemonReport.Builder().gauge("fuxi.master.leader", 0).build();
    }
    ClusterStatus status = t.call(() -> t.admin().status())
        .get(PeriodicReporter.VIEW_WAIT.toMillis(), TimeUnit.MILLISECONDS);
    return report.next(status, address);
  }
}
