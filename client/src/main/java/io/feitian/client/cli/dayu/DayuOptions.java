package io.feitian.client.cli.dayu;

import io.feitian.client.cli.CredentialOptions;
import io.feitian.client.cli.DurationConverter;
import io.feitian.common.grpc.Channels;
import java.time.Duration;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** How every {@code feitian dayu} command reaches dayu-server, with the credentials of the other commands. */
final class DayuOptions {
  @Option(names = {"-s", "--server"}, paramLabel = "HOST:PORT[,HOST:PORT...]",
      defaultValue = "${env:FEITIAN_DAYU_ADDRESS:-127.0.0.1:7400}",
      description = "dayu-server's address, or several (the leader and its standbys), tried in order while they are"
          + " unavailable; a standby's answer sends the command to the leader it names. Env FEITIAN_DAYU_ADDRESS;"
          + " default ${DEFAULT-VALUE}.")
  String address;

  @Mixin
  CredentialOptions credentials;

  @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "30s", converter = DurationConverter.class,
      description = "Deadline of each call (an upload's: see module publish); default ${DEFAULT-VALUE}.")
  Duration timeout;

  @Option(names = "--json", description = "Print JSON for scripts.")
  boolean json;

  DayuConnection connect(String server) {
    return new DayuConnection(Channels.open(server, credentials.security()), timeout);
  }
}
