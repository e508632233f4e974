package io.feitian.client.cli;

import io.feitian.client.FeitianClient;
import io.feitian.proto.fuxi.v1.RevokeGrantRequest;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "grant", description = "Grants held by applications.", subcommands = GrantCommand.Revoke.class)
final class GrantCommand {
  @Command(name = "revoke", description = "Takes a grant back from its application; its workers are killed (admin).")
  static final class Revoke extends ClusterCommandBase {
    @Parameters(paramLabel = "GRANT_ID")
    long grantId;

    @Option(names = "--reason", defaultValue = "", description = "Told to the application.")
    String reason;

    @Override
    protected void run(FeitianClient client) {
      client.cluster(c -> c.revokeGrant(RevokeGrantRequest.newBuilder().setGrantId(grantId).setReason(reason).build()));
      done("grant " + grantId + " revoked");
    }
  }
}
