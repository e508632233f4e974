package io.feitian.shennong;

import io.feitian.shennong.expose.PrometheusExposition;
import io.feitian.testkit.PureCore;
import org.junit.jupiter.api.Test;

/** Shennong's cores decide; the daemons around them do the I/O. */
class ShennongArchitectureTest {
  private static final String[] NO_IO = {"java.io..", "java.nio..", "java.net.."};

  @Test
  void selectorsArePure() {
    PureCore.check("io.feitian.shennong.select", "Selector",
        "a selector is parsed once and matched on the agent's loop; it does no I/O", NO_IO);
  }

  @Test
  void theSeriesStoreIsPure() {
    PureCore.check("io.feitian.shennong.series", "SeriesStore",
        "the store is driven by the agent's loop with time passed in", NO_IO);
  }

  @Test
  void theOperationsArePure() {
    PureCore.check("io.feitian.shennong.ops", "Merger",
        "partials are computed and merged by plain objects, with window ends passed in", NO_IO);
  }

  @Test
  void thePrometheusRenderingIsPure() {
    // Its package also holds the HTTP shell; the rendering itself writes to memory only (java.io's buffers).
    PureCore.checkClass(PrometheusExposition.class,
        "the daemon renders on its loop, where its store may be read; the HTTP shell does the I/O", "java.net..",
        "java.nio.file..", "java.nio.channels..", "com.sun.net.httpserver..", "io.feitian.common.security..");
  }

  @Test
  void theWireConversionsDoNoRpc() {
    // ByteBuffer (java.nio) carries t-digest's encoding; files and sockets stay out.
    PureCore.check("io.feitian.shennong.wire", "PartialProtos",
        "conversions turn messages into calls on the cores; the daemons own the RPC", "java.io..", "java.nio.file..",
        "java.nio.channels..", "java.net..");
  }

  @Test
  void theAgentsSubscriptionRunnerIsPure() {
    PureCore.check("io.feitian.shennong.exec", "SubscriptionRunner",
        "the agent's loop drives it with its clock, its writes and its master's commands", NO_IO);
  }

  @Test
  void theMastersFanOutIsPure() {
    PureCore.check("io.feitian.shennong.fanout", "FanOut",
        "the master's term drives it from one thread; the streams stay in the daemon", NO_IO);
  }

  @Test
  void theMonitorCoresArePure() {
    // Typesafe Config parses rule text in memory; the directory is read by monitor.RuleDirectory.
    PureCore.check("io.feitian.shennong.monitor.rules", "RuleParser",
        "rules are parsed from text the shell read; a bad file is refused before anything changes", NO_IO);
    // java.nio.charset: fingerprints hash labels as UTF-8.
    PureCore.check("io.feitian.shennong.monitor.alerts", "AlertEvaluator",
        "the monitor-service's loop feeds it windows, events and its clock, and records its transitions", "java.io..",
        "java.nio.file..", "java.nio.channels..", "java.net..");
    PureCore.check("io.feitian.shennong.monitor.notify", "Notifier",
        "notifications are decided from alerts and the time; the shell sends them", NO_IO);
  }

  @Test
  void theAnalysisCoreIsPure() {
    // java.util.zip: the snapshot's CRC-32; protobuf encodes the snapshot to bytes in memory.
    PureCore.check("io.feitian.shennong.analysis", "ClusterTotals",
        "the analysis-service's loop feeds it samples, node metadata and its clock; snapshots are bytes the shell stores",
        NO_IO);
  }
}
