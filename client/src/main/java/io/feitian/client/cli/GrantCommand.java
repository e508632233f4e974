package io.feitian.client.cli;

import io.feitian.client.FeitianClient;
import io.feitian.proto.fuxi.v1.RevokeGrantRequest;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "grant", description = "Grants held by applications.", subcommands = GrantCommand.Revoke.class)
final class GrantCommand {
  @Command(name = "revoke", description = "Takes a grant back from its application; its workers are killed (admin).")
  static final class Revoke implements Callable<Integer> {
    @Mixin
    ClusterOptions cluster;

    @Parameters(paramLabel = "GRANT_ID")
    long grantId;

    @Option(names = "--reason", defaultValue = "", description = "Told to the application.")
    String reason;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
      try (FeitianClient client = cluster.connect()) {
        client.cluster(c -> c.revokeGrant(RevokeGrantRequest.newBuilder().setGrantId(grantId).setReason(reason).build()));
        spec.commandLine().getOut().println(cluster.json ? "{}" : "grant " + grantId + " revoked");
        return 0;
      }
    }
  }
}
