package io.feitian.client.cli.dayu;

import io.feitian.proto.dayu.v1.RolloutInfo;
import java.io.BufferedReader;
import java.io.PrintWriter;
import picocli.CommandLine.Option;

/**
 * A command that may follow a rollout to its end (--wait, or the interactive mode): prints the plan,
 * then progress, then the rollout as it ended; exit code 0 only if it ended as the command meant
 * (SUCCEEDED, or ROLLED_BACK for `rollback ID`). With --json, only the final RolloutInfo is printed.
 */
abstract class FollowingCommand extends DayuCommandBase {
  @Option(names = "--wait", description = "Follow the rollout until it ends, printing its progress; exit 0 only if it"
      + " succeeds.")
  boolean await;

  private int exit;

  /** Whether a person is there: stdin and stdout are a terminal (progress bars, questions). */
  static boolean terminal() {
    return System.console() != null;
  }

  boolean bars() {
    return terminal() && !dayu.json;
  }

  /** Prints the rollout once, or follows it when {@code follow}; with {@code interactive}, asks before each batch. */
  void show(DayuConnection server, RolloutInfo start, String goal, boolean follow, boolean interactive)
      throws Exception {
    if (!follow) {
      print(start, out -> RolloutText.status(out, start, bars()));
      return;
    }
    PrintWriter progress = dayu.json ? null : out();
    if (progress != null) {
      RolloutText.status(progress, start, bars());
      progress.println();
    }
    BufferedReader operator = interactive ? new BufferedReader(System.console().reader()) : null;
    RolloutInfo end = new RolloutFollower(server, progress, bars(), operator, RolloutFollower.POLL, dayu.timeout)
        .follow(start);
    exit = end.getState().equals(goal) ? 0 : 1;
    if (RolloutText.ended(end)) {
      print(end, out -> {
        out.println();
        RolloutText.status(out, end, bars());
      });
    } else if (dayu.json) {
      print(end, out -> {});
    }
  }

  @Override
  protected int exitCode() {
    return exit;
  }
}
