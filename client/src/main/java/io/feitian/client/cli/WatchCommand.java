package io.feitian.client.cli;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import io.feitian.client.FeitianClient;
import io.feitian.client.shennong.MonitorClient;
import io.feitian.client.shennong.Subscription;
import io.feitian.proto.shennong.v1.GroupResult;
import io.feitian.proto.shennong.v1.Kind;
import io.feitian.proto.shennong.v1.Label;
import io.feitian.proto.shennong.v1.Operation;
import io.feitian.proto.shennong.v1.SampleUpdate;
import io.feitian.proto.shennong.v1.SubscribeRequest;
import io.feitian.proto.shennong.v1.SubscriptionUpdate;
import io.grpc.Status;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code feitian watch SELECTOR}: a live table of a Shennong subscription, or JSON lines. */
@Command(name = "watch", description = "Follows metrics through Shennong: a live table, or JSON lines with --json.")
final class WatchCommand implements Callable<Integer> {
  @Mixin
  ClusterOptions cluster;

  @Spec
  CommandSpec spec;

  @Parameters(paramLabel = "SELECTOR", description = "Series selector, e.g. 'node.cpu.utilization{cpu=\"total\"}'.")
  String selector;

  @Option(names = "--op", defaultValue = "avg",
      description = "raw, sum, avg, min, max, count, rate or quantile; default ${DEFAULT-VALUE}.")
  String op;

  @Option(names = "--window", defaultValue = "10s", converter = DurationConverter.class,
      description = "Window (windowed operations); default ${DEFAULT-VALUE}.")
  Duration window;

  @Option(names = "--step", defaultValue = "1s", converter = DurationConverter.class,
      description = "A result every step; default ${DEFAULT-VALUE}.")
  Duration step;

  @Option(names = "--by", split = ",", paramLabel = "LABEL", description = "Group by these labels (node, rack, ...).")
  List<String> by = new ArrayList<>();

  @Option(names = {"-q", "--quantile"}, split = ",", description = "Quantiles for --op quantile, e.g. 0.5,0.99.")
  List<Double> quantiles = new ArrayList<>();

  @Option(names = "--count", defaultValue = "0", description = "Stop after this many updates (0: until Ctrl-C).")
  int count;

  @Override
  public Integer call() throws Exception {
    SubscribeRequest request = request();
    try (FeitianClient fuxi = cluster.connect(); MonitorClient client = new MonitorClient(fuxi)) {
      return follow(client, request, spec.commandLine().getOut(), count, false, !cluster.json, (u, out, remaining) -> {
        if (cluster.json) {
          out.println(jsonLine(u));
        } else {
          render(u, out);
        }
        return 1;
      });
    }
  }

  SubscribeRequest request() {
    Operation operation;
    try {
      operation = Operation.valueOf("OPERATION_" + op.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("--op must be one of raw, sum, avg, min, max, count, rate, quantile; got "
          + op);
    }
    SubscribeRequest.Builder b = SubscribeRequest.newBuilder().setSelector(selector).setKind(Kind.KIND_METRICS)
        .setOperation(operation).addAllGroupBy(by).addAllQuantiles(quantiles);
    if (operation != Operation.OPERATION_RAW) {
      b.setWindowMs(window.toMillis()).setStepMs(step.toMillis());
    }
    return b.build();
  }

  /** Prints an update; returns how many items it printed, at most {@code remaining} (0: no limit). */
  interface Renderer {
    int render(SubscriptionUpdate update, PrintWriter out, int remaining);
  }

  /**
   * Subscribes and prints updates until {@code count} items were printed (0: forever), the first
   * update was printed ({@code firstOnly}: the current state), or the subscription ends for good. A
   * master failover is ridden out by the client library; with {@code sayStreams}, each new stream is
   * announced in a comment line.
   */
  static int follow(MonitorClient client, SubscribeRequest request, PrintWriter out, int count, boolean firstOnly,
      boolean sayStreams, Renderer renderer) throws InterruptedException {
    BlockingQueue<Object> events = new LinkedBlockingQueue<>();
    try (Subscription s = client.subscribe(request, new Subscription.Listener() {
      @Override
      public void onStream(String master) {
        events.add("stream from shennong-master " + master);
      }

      @Override
      public void onUpdate(SubscriptionUpdate update) {
        events.add(update);
      }

      @Override
      public void onEnd(Status status) {
        events.add(status);
      }
    })) {
      int seen = 0;
      while (count == 0 || seen < count) {
        Object e = events.take();
        if (e instanceof Status st) {
          if (st.isOk()) {
            return 0;
          }
          throw st.asRuntimeException();
        }
        if (e instanceof String note) {
          if (sayStreams) {
            out.println("# " + note);
            out.flush();
          }
          continue;
        }
        seen += renderer.render((SubscriptionUpdate) e, out, count == 0 ? 0 : count - seen);
        out.flush();
        if (firstOnly) {
          return 0;
        }
      }
      return 0;
    }
  }

  static String jsonLine(com.google.protobuf.MessageOrBuilder u) {
    try {
      return JsonFormat.printer().omittingInsignificantWhitespace().print(u);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException(e);
    }
  }

  private void render(SubscriptionUpdate u, PrintWriter out) {
    if (System.console() != null) {
      out.print("\033[H\033[2J"); // a live table on a terminal: redraw in place
    }
    out.println(header(u));
    List<List<String>> rows = new ArrayList<>();
    if (u.getSamplesCount() > 0) {
      for (SampleUpdate s : u.getSamplesList()) {
        rows.add(List.of(s.getSample().getName() + labels(s.getSample().getLabelsMap()),
            number(s.getSample().getValue()), Instant.ofEpochMilli(s.getSample().getTimestampMs()).toString()));
      }
      Printer.table(out, List.of("SERIES", "VALUE", "TIME"), rows);
      return;
    }
    List<String> columns = new ArrayList<>(by);
    if (quantiles.isEmpty()) {
      columns.add(op.toUpperCase(Locale.ROOT));
    } else {
      quantiles.forEach(q -> columns.add("Q" + q));
    }
    columns.addAll(List.of("SAMPLES", "SERIES"));
    for (GroupResult g : u.getGroupsList()) {
      List<String> row = new ArrayList<>(g.getGroupList().stream().map(Label::getValue).toList());
      if (quantiles.isEmpty()) {
        row.add(number(g.getValue()));
      } else {
        g.getQuantilesList().forEach(q -> row.add(number(q)));
      }
      row.add(Long.toString(g.getSamples()));
      row.add(Long.toString(g.getSeries()));
      rows.add(row);
    }
    Printer.table(out, columns, rows);
  }

  static String header(SubscriptionUpdate u) {
    StringBuilder h = new StringBuilder("#" + u.getSequence());
    if (u.getWindowStartMs() > 0) {
      h.append(" window from ").append(Instant.ofEpochMilli(u.getWindowStartMs()));
    }
    if (u.getCoalescedUpdates() > 0) {
      h.append(", ").append(u.getCoalescedUpdates()).append(" updates folded (this terminal is slow)");
    }
    if (u.getGap().getMissingAgentsCount() > 0) {
      h.append(", missing agents: ").append(String.join(",", u.getGap().getMissingAgentsList()));
    }
    if (u.getGap().getIncompleteSeries() > 0) {
      h.append(", ").append(u.getGap().getIncompleteSeries()).append(" series incomplete");
    }
    return h.toString();
  }

  static String labels(java.util.Map<String, String> labels) {
    return labels.isEmpty() ? "" : labels.entrySet().stream().sorted(java.util.Map.Entry.comparingByKey())
        .map(e -> e.getKey() + "=\"" + e.getValue() + "\"").collect(Collectors.joining(",", "{", "}"));
  }

  static String number(double v) {
    return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : String.format(Locale.ROOT, "%.4g", v);
  }
}
