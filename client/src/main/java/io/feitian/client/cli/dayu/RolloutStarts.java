package io.feitian.client.cli.dayu;

import io.feitian.proto.dayu.v1.RolloutCommand;
import io.feitian.proto.dayu.v1.RolloutInfo;
import io.feitian.proto.dayu.v1.RolloutKind;
import io.feitian.proto.dayu.v1.StartRolloutRequest;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** The commands that start a rollout: deploy, upgrade, scale-out, scale-in, rollback. */
final class RolloutStarts {
  private RolloutStarts() {}

  /**
   * Starts a rollout with the strategy options. In a terminal without --yes (and without --json)
   * the rollout is interactive: the plan is shown and each batch waits for the operator's answer.
   */
  abstract static class Starting extends FollowingCommand {
    private final RolloutKind kind;

    @Mixin
    ClusterName cluster;

    @Mixin
    StrategyOptions strategy;

    @Option(names = {"-y", "--yes"}, description = "Do not ask before each batch (the default when stdin or stdout"
        + " is not a terminal).")
    boolean yes;

    Starting(RolloutKind kind) {
      this.kind = kind;
    }

    /** Adds the targets and nodes. */
    protected abstract void request(StartRolloutRequest.Builder r);

    @Override
    protected void run(DayuConnection server) throws Exception {
      start(server);
    }

    final void start(DayuConnection server) throws Exception {
      boolean interactive = !yes && !dayu.json && terminal();
      StartRolloutRequest.Builder r = StartRolloutRequest.newBuilder().setCluster(cluster.get()).setKind(kind)
          .setStrategy(strategy.strategy(interactive));
      request(r);
      RolloutInfo started = server.rollouts().startRollout(r.build());
      show(server, started, "SUCCEEDED", await || interactive, interactive);
    }
  }

  /** Deploy and upgrade: modules to versions on every node of their roles. */
  abstract static class ToVersions extends Starting {
    ToVersions(RolloutKind kind) {
      super(kind);
    }

    @Parameters(arity = "1..*", paramLabel = "MODULE=VERSION", description = "Each module's target version.")
    List<String> targets = new ArrayList<>();

    @Override
    protected void request(StartRolloutRequest.Builder r) {
      r.putAllTargets(KeyValue.map(targets, "MODULE=VERSION"));
    }
  }

  @Command(name = "deploy", description = "Brings modules to these versions on every node of their roles (installing"
      + " them where missing), batch by batch, in dependency order.")
  static final class Deploy extends ToVersions {
    Deploy() {
      super(RolloutKind.DEPLOY);
    }
  }

  @Command(name = "upgrade", description = "The same as deploy, for modules the nodes run (their upgrade steps).")
  static final class Upgrade extends ToVersions {
    Upgrade() {
      super(RolloutKind.UPGRADE);
    }
  }

  @Command(name = "scale-out", description = "Installs on new nodes every module of their roles, at the versions the"
      + " cluster runs (or those given).")
  static final class ScaleOut extends Starting {
    @Option(names = "--node", required = true, paramLabel = "HOST", description = "A new node (repeatable).")
    List<String> nodes = new ArrayList<>();

    @Parameters(arity = "0..*", paramLabel = "MODULE=VERSION", description = "Versions other than the cluster's.")
    List<String> targets = new ArrayList<>();

    ScaleOut() {
      super(RolloutKind.SCALE_OUT);
    }

    @Override
    protected void request(StartRolloutRequest.Builder r) {
      r.putAllTargets(KeyValue.map(targets, "MODULE=VERSION")).addAllNodes(nodes);
    }
  }

  @Command(name = "scale-in", description = "Removes every module from leaving nodes, dependents first (task-worker"
      + " drains). Refused if a role would lose its last node. Once it succeeded, the nodes are gone from the cluster.")
  static final class ScaleIn extends Starting {
    @Option(names = "--node", required = true, paramLabel = "HOST", description = "A leaving node (repeatable).")
    List<String> nodes = new ArrayList<>();

    ScaleIn() {
      super(RolloutKind.SCALE_IN);
    }

    @Override
    protected void request(StartRolloutRequest.Builder r) {
      r.addAllNodes(nodes);
    }
  }

  @Command(name = "rollback", description = "`rollback ID` returns every node rollout ID touched to its previous"
      + " version (a rollout that is running, failed or aborted); `rollback --to MODULE=VERSION...` starts a new"
      + " rollout back to earlier versions (undoing one that succeeded).")
  static final class Rollback extends Starting {
    @Parameters(arity = "0..1", paramLabel = "ID", description = "The rollout to roll back.")
    Long id;

    @Option(names = "--to", arity = "1..*", paramLabel = "MODULE=VERSION", description = "The versions to return to.")
    List<String> to = new ArrayList<>();

    Rollback() {
      super(RolloutKind.ROLLBACK);
    }

    @Override
    protected void request(StartRolloutRequest.Builder r) {
      r.putAllTargets(KeyValue.map(to, "MODULE=VERSION"));
    }

    @Override
    protected void run(DayuConnection server) throws Exception {
      if ((id == null) == to.isEmpty()) {
        throw new IllegalArgumentException("give a rollout ID to roll back, or --to MODULE=VERSION... for a new"
            + " rollout to those versions");
      }
      if (id == null) {
        start(server);
        return;
      }
      if (strategy.given()) {
        throw new IllegalArgumentException("strategy options are for rollback --to: `rollback ID` undoes rollout ID"
            + " with its own strategy");
      }
      RolloutInfo r = server.rollouts().command(RolloutCommand.newBuilder().setId(id)
          .setVerb(RolloutCommand.Verb.ROLLBACK).build());
      show(server, r, "ROLLED_BACK", await, false);
    }
  }
}
