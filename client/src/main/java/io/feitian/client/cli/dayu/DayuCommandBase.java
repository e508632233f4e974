package io.feitian.client.cli.dayu;

import com.google.protobuf.MessageOrBuilder;
import io.feitian.client.cli.Printer;
import io.grpc.StatusRuntimeException;
import java.io.PrintWriter;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * A {@code feitian dayu} command: connects to dayu-server (following a standby to the leader, see
 * {@link #call}), runs, closes, and prints its answer as JSON with --json or for people otherwise. A refusal reaches the CLI's failure handler as the
 * gRPC status ({@code feitian: NOT_FOUND: cluster unknown cluster 'prod'}, exit code 1).
 */
abstract class DayuCommandBase implements Callable<Integer> {
  @Mixin
  DayuOptions dayu;

  @Spec
  CommandSpec spec;

  /** Does the command's work; returns normally for exit code {@link #exitCode()}. */
  protected abstract void run(DayuConnection server) throws Exception;

  /** The exit code when {@link #run} returns normally (commands that follow an outcome override it). */
  protected int exitCode() {
    return 0;
  }

  /**
   * Runs the command against the first server of {@code --server}; if that one refuses with
   * UNAVAILABLE before answering anything, runs it again against the leader it names (once), or
   * else the next server of the list, saying so on stderr. Once a server has answered, its
   * refusals are the command's.
   */
  @Override
  public final Integer call() throws Exception {
    ServerChoice servers = new ServerChoice(dayu.address);
    String address = servers.first();
    while (true) {
      try (DayuConnection server = dayu.connect(address)) {
        try {
          run(server);
          return exitCode();
        } catch (StatusRuntimeException e) {
          Optional<ServerChoice.Next> next = server.answered() ? Optional.empty() : servers.after(address, e.getStatus());
          if (next.isEmpty()) {
            throw e;
          }
          spec.commandLine().getErr().println("feitian: " + next.get().why());
          address = next.get().address();
        }
      }
    }
  }

  protected PrintWriter out() {
    return spec.commandLine().getOut();
  }

  protected void print(MessageOrBuilder answer, Consumer<PrintWriter> human) {
    Printer.answer(spec.commandLine().getOut(), dayu.json, answer, human);
  }
}
