package io.feitian.client.cli.dayu;

import io.feitian.proto.dayu.v1.GetRolloutRequest;
import io.feitian.proto.dayu.v1.ListRolloutsRequest;
import io.feitian.proto.dayu.v1.ListRolloutsResponse;
import io.feitian.proto.dayu.v1.RolloutCommand;
import io.feitian.proto.dayu.v1.RolloutInfo;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** Commands on rollouts that exist: the operator's verbs, status and history. */
final class RolloutCommands {
  private RolloutCommands() {}

  /** A verb sent to rollout ID; prints the rollout's state after it. */
  abstract static class Verb extends DayuCommandBase {
    private final RolloutCommand.Verb verb;

    @Parameters(paramLabel = "ID", description = "The rollout.")
    long id;

    Verb(RolloutCommand.Verb verb) {
      this.verb = verb;
    }

    @Override
    protected void run(DayuConnection server) {
      RolloutInfo r = server.rollouts().command(RolloutCommand.newBuilder().setId(id).setVerb(verb).build());
      print(r, out -> out.println("rollout " + r.getId() + ": " + RolloutText.state(r)));
    }
  }

  @Command(name = "pause", description = "Starts nothing more (repairs included) until resume; running tasks go on.")
  static final class Pause extends Verb {
    Pause() {
      super(RolloutCommand.Verb.PAUSE);
    }
  }

  @Command(name = "resume", description = "Goes on after a pause.")
  static final class Resume extends Verb {
    Resume() {
      super(RolloutCommand.Verb.RESUME);
    }
  }

  @Command(name = "abort", description = "Starts nothing more and ends ABORTED without rolling back (`rollback ID`"
      + " may follow); running tasks end on their own.")
  static final class Abort extends Verb {
    Abort() {
      super(RolloutCommand.Verb.ABORT);
    }
  }

  @Command(name = "approve", description = "Starts the next batch of an interactive rollout.")
  static final class Approve extends Verb {
    Approve() {
      super(RolloutCommand.Verb.APPROVE);
    }
  }

  @Command(name = "status", description = "A rollout (the cluster's newest by default): its state, and per module,"
      + " batch and node the task's state, steps done and failures.")
  static final class Status extends DayuCommandBase {
    @Mixin
    ClusterName cluster;

    @Parameters(arity = "0..1", paramLabel = "ID", description = "The rollout (default: the cluster's newest).")
    Long id;

    @Override
    protected void run(DayuConnection server) {
      long which = id != null ? id : newest(server);
      RolloutInfo r = server.rollouts().getRollout(GetRolloutRequest.newBuilder().setId(which).build());
      print(r, out -> RolloutText.status(out, r, FollowingCommand.terminal()));
    }

    private long newest(DayuConnection server) {
      ListRolloutsResponse all = server.rollouts().listRollouts(ListRolloutsRequest.newBuilder()
          .setCluster(cluster.get()).build());
      if (all.getRolloutsCount() == 0) {
        throw new IllegalStateException("cluster " + cluster.get() + " has no rollout yet");
      }
      return all.getRollouts(0).getId();
    }
  }

  @Command(name = "history", description = "The cluster's rollouts, newest first.")
  static final class History extends DayuCommandBase {
    @Mixin
    ClusterName cluster;

    @Override
    protected void run(DayuConnection server) {
      ListRolloutsResponse r = server.rollouts().listRollouts(ListRolloutsRequest.newBuilder()
          .setCluster(cluster.get()).build());
      print(r, out -> RolloutText.history(out, r.getRolloutsList()));
    }
  }
}
