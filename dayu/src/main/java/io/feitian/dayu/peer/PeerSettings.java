package io.feitian.dayu.peer;

import com.typesafe.config.Config;
import java.time.Duration;

/**
 * {@code dayu.agent.peer} of the configuration: where the agent serves its pieces to other agents,
 * and how it fetches them (docs/DAYU.md, "Peer-to-peer distribution").
 *
 * @param port the piece server's port; -1 serves nothing (the agent then only fetches)
 * @param advertise host:port other agents reach the piece server at ("" when it serves nothing)
 */
public record PeerSettings(String bind, int port, String advertise, int uploadSlots, int requestsPerPeer,
    int requestsInFlight, Duration busyPause, Duration pieceTimeout, Duration peersRefresh,
    Duration announceInterval) {

  public PeerSettings {
    if (port < -1 || port > 65535) {
      throw new IllegalArgumentException("dayu.agent.peer.port must be -1 (off) or 0 to 65535, got " + port);
    }
    if (uploadSlots < 1 || requestsPerPeer < 1 || requestsInFlight < 1) {
      throw new IllegalArgumentException("dayu.agent.peer.upload-slots, requests-per-peer and requests-in-flight "
          + "must be at least 1, got " + uploadSlots + ", " + requestsPerPeer + ", " + requestsInFlight);
    }
  }

  public static PeerSettings from(Config config) {
    Config p = config.getConfig("dayu.agent.peer");
    return new PeerSettings(p.getString("bind"), p.getInt("port"), p.getString("advertise"), p.getInt("upload-slots"),
        p.getInt("requests-per-peer"), p.getInt("requests-in-flight"), p.getDuration("busy-pause"),
        p.getDuration("piece-timeout"), p.getDuration("peers-refresh"), p.getDuration("announce-interval"));
  }

  /** With the advertised address once the server's port is known (port 0 picks one). */
  public PeerSettings withAdvertise(String address) {
    return new PeerSettings(bind, port, address, uploadSlots, requestsPerPeer, requestsInFlight, busyPause,
        pieceTimeout, peersRefresh, announceInterval);
  }
}
