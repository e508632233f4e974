package io.feitian.client.cli;

import static java.util.stream.Collectors.joining;

import io.feitian.client.local.LocalCluster;
import io.feitian.client.local.LocalCredentials;
import io.feitian.client.local.LocalSecrets;
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
  static final String DIR_ENV = "FEITIAN_LOCAL_DIR";
  static final String DIR_DEFAULT = ".feitian/local";
  static final String DEFAULT_DIR = "${env:" + DIR_ENV + ":-" + DIR_DEFAULT + "}";

  /** The local cluster's directory when none is named: what {@link #DEFAULT_DIR} says, resolved outside picocli. */
  static Path defaultDir() {
    String env = System.getenv(DIR_ENV);
    return Path.of(env == null || env.isBlank() ? DIR_DEFAULT : env);
  }

  @Command(name = "up", description = "Starts ZooKeeper, fuxi-masters and task-workers on loopback; Ctrl-C stops them.")
  static final class Up implements Callable<Integer> {
    @Mixin
    LocalClusterOptions where;

    @Option(names = {"-d", "--detach"}, description = "Return once the cluster is up; stop it with `local down`.")
    boolean detach;

    @Option(names = "--secure", description = "Mutual TLS and tokens everywhere (ZooKeeper excepted), from a new CA,"
        + " certificates and tokens in DIR/secure; the CLI finds them there.")
    boolean secure;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
      PrintWriter out = spec.commandLine().getOut();
      LocalCluster.Layout layout = where.layout();
      LocalCluster cluster = new LocalCluster(layout, System.out, secure);
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
      List<LocalCluster.Member> members;
      try {
        members = cluster.up();
      } catch (Exception | Error e) {
        // up() stopped what it started. Left in place, the hook would stop the cluster at this JVM's exit,
        // and when a cluster was already running from the directory, delete that cluster's state with it.
        removeHook(stopper);
        throw e;
      }
      List<List<String>> rows = members.stream()
          .map(m -> List.of(m.name(), m.address(), Long.toString(m.pid()), m.log().toString())).toList();
      Printer.table(out, List.of("DAEMON", "ADDRESS", "PID", "LOG"), rows);
      out.println();
      out.println("cluster address: zk://" + layout.zkConnect() + (layout.zkPort() == 2181 ? " (the CLI's default)" : ""));
      // The leader's page shows the charts; the standby's answers with the leader's address.
      String scheme = secure ? "https" : "http";
      out.println("analysis page: " + scheme + "://127.0.0.1:" + layout.analysisHttpPort(1) + "/ (or :"
          + layout.analysisHttpPort(2) + ", whichever analysis-service leads)");
      cluster.credentials().ifPresent(c -> printCredentials(out, layout, c));
      out.println("try: ./feitian cluster status");
      if (detach) {
        removeHook(stopper);
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

  private static void removeHook(Thread hook) {
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException shuttingDown) {
      // Ctrl-C came first: the hook is stopping the cluster already.
    }
  }

  private static void printCredentials(PrintWriter out, LocalCluster.Layout layout, LocalCredentials c) {
    out.println("secured with mutual TLS and tokens: CA, certificates and tokens are in " + LocalSecrets.dir(layout.dir()));
    String tokens = LocalSecrets.TOKENS.stream()
        .map(t -> t.file() + " (" + t.name() + ", " + t.role().name().toLowerCase() + ")").collect(joining(", "));
    out.println("tokens, one a file: " + tokens);
    String elsewhere = layout.dir().equals(defaultDir().toAbsolutePath().normalize()) ? ""
        : "; from another shell, export " + DIR_ENV + "=" + layout.dir() + " first";
    out.println("the CLI uses " + c.cert().getFileName() + " and " + c.tokenFile().getFileName()
        + " for this cluster automatically" + elsewhere);
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
