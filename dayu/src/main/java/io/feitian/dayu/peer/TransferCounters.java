package io.feitian.dayu.peer;

import io.feitian.proto.dayu.v1.TransferStats;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One agent's transfer counters since it started: verified bytes received from other agents and
 * from dayu-server, bytes served, bad pieces received. Served by the agent's
 * {@code PieceService.GetTransferStats} (so a test on other hosts can check that pieces moved
 * between peers) and logged after each package.
 */
public final class TransferCounters {
  private final AtomicLong fromPeers = new AtomicLong();
  private final AtomicLong fromServer = new AtomicLong();
  private final AtomicLong served = new AtomicLong();
  private final AtomicLong badPieces = new AtomicLong();

  void received(boolean fromSeed, long bytes) {
    (fromSeed ? fromServer : fromPeers).addAndGet(bytes);
  }

  void served(long bytes) {
    served.addAndGet(bytes);
  }

  void bad() {
    badPieces.incrementAndGet();
  }

  public long bytesFromPeers() {
    return fromPeers.get();
  }

  public long bytesFromServer() {
    return fromServer.get();
  }

  public long bytesServed() {
    return served.get();
  }

  public long badPieces() {
    return badPieces.get();
  }

  public TransferStats toProto() {
    return TransferStats.newBuilder().setBytesFromPeers(bytesFromPeers()).setBytesFromServer(bytesFromServer())
        .setBytesServed(bytesServed()).setBadPieces(badPieces()).build();
  }

  @Override
  public String toString() {
    return bytesFromPeers() + " bytes from peers, " + bytesFromServer() + " from dayu-server, " + bytesServed()
        + " served, " + badPieces() + " bad pieces";
  }
}
