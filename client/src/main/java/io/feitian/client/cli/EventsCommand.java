package io.feitian.client.cli;

import io.feitian.client.FeitianClient;
import io.feitian.client.shennong.MonitorClient;
import io.feitian.proto.shennong.v1.Event;
import io.feitian.proto.shennong.v1.Kind;
import io.feitian.proto.shennong.v1.Operation;
import io.feitian.proto.shennong.v1.SubscribeRequest;
import java.time.Instant;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code feitian events [--follow] [SELECTOR]}: the events the agents still hold, oldest first, one
 * line each (JSON lines with --json); with --follow, then every new one as it happens.
 */
@Command(name = "events", description = "Lists the events Shennong's agents still hold, oldest first (node lost,"
    + " instance failed, leader changed...); --follow keeps following new ones.")
final class EventsCommand implements Callable<Integer> {
  @Mixin
  ClusterOptions cluster;

  @Spec
  CommandSpec spec;

  @Parameters(paramLabel = "SELECTOR", arity = "0..1", defaultValue = "*",
      description = "Event selector, e.g. 'job.*{severity>=\"warning\"}'; default all events.")
  String selector;

  @Option(names = {"-f", "--follow"}, description = "After the events held, print each new one until Ctrl-C.")
  boolean follow;

  @Option(names = "--count", defaultValue = "0", description = "Stop after this many events (0: no limit).")
  int count;

  @Override
  public Integer call() throws Exception {
    SubscribeRequest request = SubscribeRequest.newBuilder().setSelector(selector).setKind(Kind.KIND_EVENTS)
        .setOperation(Operation.OPERATION_RAW).build();
    try (FeitianClient fuxi = cluster.connect(); MonitorClient client = new MonitorClient(fuxi)) {
      return WatchCommand.follow(client, request, spec.commandLine().getOut(), count, !follow,
          follow && !cluster.json, (u, out, remaining) -> {
            int printed = 0;
            for (Event e : u.getEventsList()) {
              if (remaining > 0 && printed == remaining) {
                break;
              }
              out.println(cluster.json ? WatchCommand.jsonLine(e) : line(e));
              printed++;
            }
            return printed;
          });
    }
  }

  static String line(Event e) {
    return Instant.ofEpochMilli(e.getTimestampMs()) + "  " + e.getSeverity().name().replace("SEVERITY_", "")
        + "  " + e.getName() + WatchCommand.labels(e.getLabelsMap()) + (e.getMessage().isEmpty() ? ""
        : "  " + e.getMessage());
  }
}
