package io.feitian.client.cli.dayu;

import io.feitian.common.grpc.CallFailures;
import io.feitian.proto.dayu.v1.GetRolloutRequest;
import io.feitian.proto.dayu.v1.RolloutCommand;
import io.feitian.proto.dayu.v1.RolloutInfo;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.Locale;

/**
 * Follows a rollout to its end by polling GetRollout, printing what changed. With an operator (the
 * interactive mode: a terminal, no --yes) it asks before each batch of an interactive rollout and
 * sends APPROVE or ABORT; declining leaves the rollout waiting and stops following.
 *
 * <p>The rollout lives on the server: following is only watching, so stopping the CLI (Ctrl-C, a
 * lost connection) changes nothing. A server that does not answer is asked again until it has been
 * silent for {@code patience} (it may be restarting; it resumes its rollouts).
 */
final class RolloutFollower {
  static final Duration POLL = Duration.ofMillis(500);

  /** An operator's answer to the approval question. */
  enum Answer {
    APPROVE, ABORT, LEAVE, AGAIN;

    /** y/yes, a/abort, n/no/empty/end of input (leave it waiting); anything else asks again. */
    static Answer of(String line) {
      if (line == null) {
        return LEAVE;
      }
      return switch (line.trim().toLowerCase(Locale.ROOT)) {
        case "y", "yes" -> APPROVE;
        case "a", "abort" -> ABORT;
        case "", "n", "no" -> LEAVE;
        default -> AGAIN;
      };
    }
  }

  private final DayuConnection server;
  private final PrintWriter out;
  private final boolean bars;
  private final BufferedReader operator;
  private final Duration poll;
  private final Duration patience;

  /**
   * @param out where progress goes; {@code null} prints nothing (--json)
   * @param operator who answers the approval questions; {@code null} for none
   */
  RolloutFollower(DayuConnection server, PrintWriter out, boolean bars, BufferedReader operator, Duration poll,
      Duration patience) {
    this.server = server;
    this.out = out;
    this.bars = bars;
    this.operator = operator;
    this.poll = poll;
    this.patience = patience;
  }

  /** Returns the rollout as last seen: ended, or awaiting an approval the operator declined. */
  RolloutInfo follow(RolloutInfo start) throws InterruptedException, IOException {
    RolloutInfo last = start;
    long lastAnswer = System.nanoTime();
    boolean saidUnavailable = false;
    while (!RolloutText.ended(last)) {
      if (operator != null && last.getAwaitingApproval()) {
        Answer a = ask(last);
        if (a == Answer.LEAVE) {
          print("rollout " + last.getId() + " waits for approval of " + RolloutText.nextBatch(last)
              + ": `feitian dayu approve " + last.getId() + "` starts it, `feitian dayu abort " + last.getId()
              + "` stops the rollout");
          return last;
        }
        last = command(last, a == Answer.APPROVE ? RolloutCommand.Verb.APPROVE : RolloutCommand.Verb.ABORT);
        continue;
      }
      Thread.sleep(poll.toMillis());
      RolloutInfo now;
      try {
        now = server.rollouts().getRollout(GetRolloutRequest.newBuilder().setId(last.getId()).build());
      } catch (StatusRuntimeException e) {
        if (!CallFailures.lostTheServer(e.getStatus())
            || System.nanoTime() - lastAnswer > patience.toNanos()) {
          throw e;
        }
        if (!saidUnavailable) {
          print("dayu-server does not answer; asking again (the rollout goes on without this CLI)");
          saidUnavailable = true;
        }
        continue;
      }
      lastAnswer = System.nanoTime();
      saidUnavailable = false;
      RolloutText.changes(last, now, bars).forEach(this::print);
      last = now;
    }
    return last;
  }

  private Answer ask(RolloutInfo r) throws IOException {
    while (true) {
      out.print(RolloutText.question(r));
      out.flush();
      String line = operator.readLine();
      if (line == null) {
        out.println();
      }
      Answer a = Answer.of(line);
      if (a != Answer.AGAIN) {
        return a;
      }
      out.println("y starts the batch, n leaves the rollout waiting, a aborts it");
    }
  }

  /** Sends an approval or abort; when the rollout moved meanwhile (another operator), says so and goes on. */
  private RolloutInfo command(RolloutInfo last, RolloutCommand.Verb verb) {
    try {
      RolloutInfo now = server.rollouts().command(RolloutCommand.newBuilder().setId(last.getId()).setVerb(verb)
          .build());
      RolloutText.changes(last, now, bars).forEach(this::print);
      return now;
    } catch (StatusRuntimeException e) {
      if (e.getStatus().getCode() != Status.Code.FAILED_PRECONDITION) {
        throw e;
      }
      print(verb + " not applied: " + e.getStatus().getDescription());
      return server.rollouts().getRollout(GetRolloutRequest.newBuilder().setId(last.getId()).build());
    }
  }

  private void print(String line) {
    if (out != null) {
      out.println(line);
      out.flush();
    }
  }
}
