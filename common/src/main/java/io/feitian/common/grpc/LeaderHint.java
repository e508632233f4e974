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

  /**
   * As {@link #notLeader(Optional)}, said by {@code self}: when the election names this very server
   * (elected, but its term not yet begun or already ended), the answer says so and carries no hint,
   * rather than sending the caller to the server it just called.
   */
  public static Status notLeader(Optional<String> leader, String self) {
    if (leader.filter(self::equals).isPresent()) {
      return Status.UNAVAILABLE.withDescription("not the leader at this moment: " + self
          + " is elected but between terms (taking office or leaving it); retry shortly");
    }
    return notLeader(leader);
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
