package io.feitian.client.cli.dayu;

import com.google.protobuf.MessageOrBuilder;
import io.feitian.client.cli.Printer;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * A {@code feitian dayu} command: connects to dayu-server, runs, closes, and prints its answer as
 * JSON with --json or for people otherwise. A refusal reaches the CLI's failure handler as the
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

  @Override
  public final Integer call() throws Exception {
    try (DayuConnection server = dayu.connect()) {
      run(server);
      return exitCode();
    }
  }

  protected PrintWriter out() {
    return spec.commandLine().getOut();
  }

  protected void print(MessageOrBuilder answer, Consumer<PrintWriter> human) {
    Printer.answer(spec.commandLine().getOut(), dayu.json, answer, human);
  }
}
