package io.feitian.client.cli;

import io.feitian.client.FeitianClient;
import io.feitian.client.shennong.AnalysisClient;
import io.feitian.proto.shennong.v1.TopRequest;
import io.feitian.proto.shennong.v1.TopResponse;
import io.feitian.proto.shennong.v1.TopRow;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.DoubleFunction;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code feitian top}: the cluster's totals from the analysis-service leader, then one row per node
 * (or rack, role, service, job, application) sorted by a column, redrawn every {@code --interval}
 * like top; {@code --once} prints one view and exits, {@code --json} prints each view as a JSON line.
 */
@Command(name = "top", description = "The cluster's totals, then its nodes (or --by service, job, ...) sorted by"
    + " a column, refreshed every few seconds (from the analysis-service).")
final class TopCommand extends ClusterCommandBase {
  static final List<String> GROUPINGS = List.of("node", "rack", "role", "service", "job", "app");

  /** A column of the table: its --sort name, its header, the total it shows and how. */
  record Column(String key, String header, String total, DoubleFunction<String> format) {}

  static final List<Column> COLUMNS = List.of(
      new Column("cpu", "CPU", "cpu.cores.used", TopCommand::cores),
      new Column("cores", "CORES", "cpu.cores", TopCommand::cores),
      new Column("mem", "MEM", "memory.used.bytes", TopCommand::bytes),
      new Column("mem-total", "MEM TOTAL", "memory.total.bytes", TopCommand::bytes),
      new Column("disk-read", "DISK R/s", "disk.read.bytes.per.second", TopCommand::bytes),
      new Column("disk-write", "DISK W/s", "disk.written.bytes.per.second", TopCommand::bytes),
      new Column("net-rx", "NET RX/s", "network.received.bytes.per.second", TopCommand::bytes),
      new Column("net-tx", "NET TX/s", "network.sent.bytes.per.second", TopCommand::bytes),
      new Column("workers", "WORKERS", "workers.running", WatchCommand::number),
      new Column("instances", "INSTANCES", "instances.running", WatchCommand::number),
      new Column("service-workers", "SVC WORKERS", "service.workers.running", WatchCommand::number),
      new Column("proc-cpu", "PROC CPU", "process.cpu.cores", TopCommand::cores),
      new Column("proc-mem", "PROC MEM", "process.memory.bytes", TopCommand::bytes));

  @Option(names = "--by", defaultValue = "node", paramLabel = "GROUPING",
      description = "Rows per node, rack, role, service, job or app; default ${DEFAULT-VALUE}.")
  String by;

  @Option(names = "--sort", defaultValue = "cpu", paramLabel = "COLUMN",
      description = "Sort rows by this column, largest first: cpu, cores, mem, mem-total, disk-read, disk-write,"
          + " net-rx, net-tx, workers, instances, service-workers, proc-cpu, proc-mem (or a total's name), or name;"
          + " default ${DEFAULT-VALUE}.")
  String sort;

  @Option(names = "--interval", defaultValue = "3s", converter = DurationConverter.class,
      description = "Refresh this often; default ${DEFAULT-VALUE}.")
  Duration interval;

  @Option(names = {"-n", "--limit"}, defaultValue = "0", description = "At most this many rows (0: all).")
  int limit;

  @Option(names = "--once", description = "Print one view and exit.")
  boolean once;

  @Override
  protected void run(FeitianClient client) throws Exception {
    TopRequest request = request();
    try (AnalysisClient analysis = new AnalysisClient(client)) {
      while (true) {
        TopResponse r = analysis.call(s -> s.top(request));
        PrintWriter out = out();
        if (json()) {
          out.println(WatchCommand.jsonLine(r));
        } else {
          if (!once && System.console() != null) {
            out.print("\033[H\033[2J"); // a live view on a terminal: redraw in place
          }
          render(r, out);
        }
        out.flush();
        if (once) {
          return;
        }
        Thread.sleep(interval.toMillis());
      }
    }
  }

  /** The request the flags ask for; IllegalArgumentException (exit 2) naming a bad flag. */
  TopRequest request() {
    if (!GROUPINGS.contains(by)) {
      throw new IllegalArgumentException("--by must be one of " + String.join(", ", GROUPINGS) + "; got " + by);
    }
    if (interval.toMillis() < 1000) {
      throw new IllegalArgumentException("--interval must be at least 1s; got " + interval.toMillis() + "ms");
    }
    if (limit < 0) {
      throw new IllegalArgumentException("--limit must be at least 0; got " + limit);
    }
    return TopRequest.newBuilder().setGrouping(by).setSort(sortTotal(sort)).setLimit(limit).build();
  }

  /** The total a --sort value names ("" for name). */
  static String sortTotal(String sort) {
    if (sort.equals("name")) {
      return "";
    }
    for (Column c : COLUMNS) {
      if (c.key().equals(sort) || c.total().equals(sort)) {
        return c.total();
      }
    }
    throw new IllegalArgumentException("--sort: unknown column " + sort + "; use name, "
        + COLUMNS.stream().map(Column::key).collect(Collectors.joining(", ")));
  }

  private void render(TopResponse r, PrintWriter out) {
    Map<String, Double> c = r.getClusterMap();
    out.println("feitian top - " + (r.getStepStartMs() == 0 ? "-" : Instant.ofEpochMilli(r.getStepStartMs()))
        + " (" + r.getStepMs() / 1000 + " s step), " + fmt(c, "nodes", WatchCommand::number) + " nodes");
    out.println("CPU " + fmt(c, "cpu.cores.used", TopCommand::cores) + " of " + fmt(c, "cpu.cores", TopCommand::cores)
        + " cores   MEM " + fmt(c, "memory.used.bytes", TopCommand::bytes) + " of "
        + fmt(c, "memory.total.bytes", TopCommand::bytes));
    out.println("DISK read " + fmt(c, "disk.read.bytes.per.second", TopCommand::bytes) + "/s, write "
        + fmt(c, "disk.written.bytes.per.second", TopCommand::bytes) + "/s   NET in "
        + fmt(c, "network.received.bytes.per.second", TopCommand::bytes) + "/s, out "
        + fmt(c, "network.sent.bytes.per.second", TopCommand::bytes) + "/s");
    out.println("WORKERS " + fmt(c, "workers.running", WatchCommand::number) + "   INSTANCES "
        + fmt(c, "instances.running", WatchCommand::number) + "   SERVICE WORKERS "
        + fmt(c, "service.workers.running", WatchCommand::number));
    out.println();
    // Only the columns some row has: by job, that is the job's instances and not the nodes' memory.
    List<Column> shown = COLUMNS.stream()
        .filter(col -> r.getRowsList().stream().anyMatch(row -> row.containsTotals(col.total()))).toList();
    List<String> header = new ArrayList<>(List.of(by.toUpperCase(Locale.ROOT)));
    shown.forEach(col -> header.add(col.header()));
    List<List<String>> rows = new ArrayList<>();
    for (TopRow row : r.getRowsList()) {
      List<String> line = new ArrayList<>(List.of(row.getGroup().isEmpty() ? "(none)" : row.getGroup()));
      shown.forEach(col -> line.add(fmt(row.getTotalsMap(), col.total(), col.format())));
      rows.add(line);
    }
    Printer.table(out, header, rows);
    if (r.getGroups() > r.getRowsCount()) {
      out.println("(" + (r.getGroups() - r.getRowsCount()) + " more)");
    }
  }

  private static String fmt(Map<String, Double> values, String total, DoubleFunction<String> format) {
    Double v = values.get(total);
    return v == null ? "-" : format.apply(v);
  }

  static String cores(double v) {
    return String.format(Locale.ROOT, "%.2f", v);
  }

  /** Bytes in binary units: 512 B, 1.5 KiB, 3.2 GiB. */
  static String bytes(double v) {
    String[] units = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
    int u = 0;
    while (Math.abs(v) >= 1024 && u < units.length - 1) {
      v /= 1024;
      u++;
    }
    return u == 0 ? WatchCommand.number(Math.rint(v)) + " B" : String.format(Locale.ROOT, "%.1f %s", v, units[u]);
  }
}
