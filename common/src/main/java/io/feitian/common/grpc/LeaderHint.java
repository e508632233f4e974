package io.feitian.common.grpc;

import io.grpc.Status;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The "leader=host:port" convention of standby masters' UNAVAILABLE errors. */
public final class LeaderHint {
  private static final Pattern HINT = Pattern.compile("leader=([^\\s;]+)");

  private LeaderHint() {}

  public static Status notLeader(Optional<String> leader) {
    return Status.UNAVAILABLE.withDescription(leader
        .map(a -> "not the leader; leader=" + a)
        .orElse("not the leader; no leader elected yet"));
  }

  /** The leader named in a status, if any. */
  public static Optional<String> parse(Status status) {
    if (status.getCode() != Status.Code.UNAVAILABLE || status.getDescription() == null) {
      return Optional.empty();
    }
    Matcher m = HINT.matcher(status.getDescription());
    return m.find() ? Optional.of(m.group(1)) : Optional.empty();
  }
}
