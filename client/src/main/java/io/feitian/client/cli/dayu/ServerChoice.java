package io.feitian.client.cli.dayu;

import io.feitian.common.grpc.CallFailures;
import io.feitian.common.grpc.LeaderHint;
import io.grpc.Status;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Which dayu-server a {@code feitian dayu} command asks next, when the one it asked refused before
 * answering anything: the leader a standby names (once), else the next server of {@code -s}'s list
 * when the one asked was unavailable. Each listed server is asked at most once. A refusal that is
 * not UNAVAILABLE (a server's answer) ends the command.
 */
final class ServerChoice {
  /** The server to ask next, and what to tell the operator on stderr. */
  record Next(String address, String why) {}

  private final List<String> servers;
  private final Set<String> asked = new LinkedHashSet<>();
  private boolean hintFollowed;

  /** {@code servers}: host:port, comma-separated, at least one. */
  ServerChoice(String servers) {
    List<String> list = new ArrayList<>();
    for (String s : servers.split(",", -1)) {
      String address = s.strip();
      if (address.isEmpty()) {
        throw new IllegalArgumentException("--server: an empty address in \"" + servers + "\"");
      }
      list.add(address);
    }
    this.servers = List.copyOf(list);
  }

  String first() {
    asked.add(servers.get(0));
    return servers.get(0);
  }

  /** After {@code address} refused with {@code status} before answering anything. */
  Optional<Next> after(String address, Status status) {
    if (!CallFailures.lostTheServer(status)) {
      return Optional.empty();
    }
    Optional<String> leader = LeaderHint.parse(status).filter(l -> !l.equals(address));
    if (leader.isPresent() && !hintFollowed) {
      hintFollowed = true;
      asked.add(leader.get());
      return Optional.of(new Next(leader.get(), "dayu-server " + address + " is a standby; asking the leader it names, "
          + leader.get()));
    }
    for (String s : servers) {
      if (asked.add(s)) {
        return Optional.of(new Next(s, "dayu-server " + address + " is unavailable ("
            + Optional.ofNullable(status.getDescription()).orElse("no description") + "); asking " + s));
      }
    }
    return Optional.empty();
  }
}
