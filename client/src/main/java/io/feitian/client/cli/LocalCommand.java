package io.feitian.client.cli;

import io.feitian.client.local.LocalCluster;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "local", description = "A whole cluster on this machine, every daemon its own process.",
    subcommands = {LocalCommand.Up.class, LocalCommand.Down.class})
final class LocalCommand {
  static final String DEFAULT_DIR = "${env:FEITIAN_LOCAL_DIR:-.feitian/local}";

  @Command(name = "up", description = "Starts ZooKeeper, fuxi-masters and task-workers on loopback; Ctrl-C stops them.")
  static final class Up implements Callable<Integer> {
    @Mixin
    LocalClusterOptions where;

    @Option(names = {"-d", "--detach"}, description = "Return once the cluster is up; stop it with `local down`.")
    boolean detach;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
      PrintWriter out = spec.commandLine().getOut();
      LocalCluster.Layout layout = where.layout();
      LocalCluster cluster = new LocalCluster(layout, System.out);
      out.println("starting a local cluster in " + layout.dir().toAbsolutePath().normalize() + " ...");
      out.flush();
      // Ctrl-C at any point, even while starting, stops whatever was started.
      CountDownLatch stopped = new CountDownLatch(1);
      Thread stopper = new Thread(() -> {
        System.out.println("stopping the local cluster ...");
        cluster.stop();
        System.out.println("stopped");
        stopped.countDown();
      });
      Runtime.getRuntime().addShutdownHook(stopper);
      List<LocalCluster.Member> members = cluster.up();
      List<List<String>> rows = members.stream()
          .map(m -> List.of(m.name(), m.address(), Long.toString(m.pid()), m.log().toString())).toList();
      Printer.table(out, List.of("DAEMON", "ADDRESS", "PID", "LOG"), rows);
      out.println();
      out.println("cluster address: zk://" + layout.zkConnect() + (layout.zkPort() == 2181 ? " (the CLI's default)" : ""));
      out.println("try: ./feitian cluster status");
      if (detach) {
        Runtime.getRuntime().removeShutdownHook(stopper);
        out.println("stop it with: ./feitian local down");
        out.flush();
        return 0;
      }
      out.println("press Ctrl-C (or run ./feitian local down) to stop it");
      out.flush();
      stopped.await();
      return 0;
    }
  }

  @Command(name = "down", description = "Stops the local cluster started from the same directory.")
  static final class Down implements Callable<Integer> {
    @Option(names = "--dir", defaultValue = DEFAULT_DIR, description = "As given to `local up`; default ${DEFAULT-VALUE}.")
    Path dir;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
      if (!LocalCluster.down(dir, System.out)) {
        spec.commandLine().getErr().println("feitian: no local cluster is running from " + dir.toAbsolutePath().normalize());
        return 1;
      }
      return 0;
    }
  }
}
