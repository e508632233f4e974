package io.feitian.client.cli;

import io.feitian.client.local.LocalCluster;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "local", description = "A whole cluster on this machine, every daemon its own process.",
    subcommands = {LocalCommand.Up.class, LocalCommand.Down.class})
final class LocalCommand {
  static final String DEFAULT_DIR = "${env:FEITIAN_LOCAL_DIR:-.feitian/local}";

  @Command(name = "up", description = "Starts ZooKeeper, fuxi-masters and task-workers on loopback; Ctrl-C stops them.")
  static final class Up implements Callable<Integer> {
    @Option(names = "--dir", defaultValue = DEFAULT_DIR, description = "State, data and logs; default ${DEFAULT-VALUE}.")
    Path dir;

    @Option(names = "--masters", defaultValue = "2", description = "fuxi-masters (one leads); default ${DEFAULT-VALUE}.")
    int masters;

    @Option(names = "--workers", defaultValue = "3", description = "task-workers (nodes); default ${DEFAULT-VALUE}.")
    int workers;

    @Option(names = "--zk-port", defaultValue = "2181", description = "ZooKeeper port; default ${DEFAULT-VALUE}.")
    int zkPort;

    @Option(names = "--master-port", defaultValue = "7100", description = "First fuxi-master port; default ${DEFAULT-VALUE}.")
    int masterPort;

    @Option(names = "--worker-port", defaultValue = "7200", description = "First task-worker port; default ${DEFAULT-VALUE}.")
    int workerPort;

    @Option(names = "--node-cpu", defaultValue = "4000", description = "CPU each node offers, millicores; default ${DEFAULT-VALUE}.")
    long nodeCpu;

    @Option(names = "--node-memory", defaultValue = "4096", description = "Memory each node offers, MiB; default ${DEFAULT-VALUE}.")
    long nodeMemory;

    @Option(names = {"-d", "--detach"}, description = "Return once the cluster is up; stop it with `local down`.")
    boolean detach;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
      PrintWriter out = spec.commandLine().getOut();
      LocalCluster cluster = new LocalCluster(new LocalCluster.Layout(dir, zkPort, masterPort, workerPort, masters,
          workers, nodeCpu, nodeMemory), System.out);
      out.println("starting a local cluster in " + dir.toAbsolutePath().normalize() + " ...");
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
      out.println("cluster address: zk://127.0.0.1:" + zkPort + " (the CLI's default)");
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
