package io.feitian.client.cli;

import com.google.protobuf.MessageOrBuilder;
import io.feitian.client.FeitianClient;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * A command that talks to the cluster: connects, runs, closes, and prints
 * its answer as JSON with --json or for people otherwise.
 */
public abstract class ClusterCommandBase implements Callable<Integer> {
  @Mixin
  ClusterOptions cluster;

  @Spec
  CommandSpec spec;

  /** Does the command's work; returns normally for exit code 0. */
  protected abstract void run(FeitianClient client) throws Exception;

  /** The exit code when {@link #run} returns normally (commands that report an outcome override it). */
  protected int exitCode() {
    return 0;
  }

  @Override
  public final Integer call() throws Exception {
    try (FeitianClient client = cluster.connect()) {
      run(client);
      return exitCode();
    }
  }

  protected PrintWriter out() {
    return spec.commandLine().getOut();
  }

  /** Prints the answer: the message as JSON with --json, else what {@code human} writes. */
  protected boolean json() {
    return cluster.json;
  }

  protected void print(MessageOrBuilder answer, Consumer<PrintWriter> human) {
    Printer.answer(out(), cluster.json, answer, human);
  }

  /** For commands whose answer is only "done": `{}` with --json, else the sentence. */
  protected void done(String sentence) {
    out().println(cluster.json ? "{}" : sentence);
  }
}
