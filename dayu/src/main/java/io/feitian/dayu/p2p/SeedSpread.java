package io.feitian.dayu.p2p;

import java.util.BitSet;
import java.util.HashMap;
import java.util.Map;

/**
 * Which pieces dayu-server, the seed, agrees to send: its upload should carry about one copy of
 * a package into the swarm, each piece once, the agents copying pieces among themselves. Agents
 * starting together cannot know which pieces the others are already fetching from the seed (the
 * tracker learns a piece only once it is held), so they ask for the same ones; the seed decides:
 * <ul>
 *   <li>a piece that some peer holds (as the tracker knows) is refused while some other piece is
 *       held by no peer: the asker gets it from that peer, the seed's upload goes to what the
 *       swarm lacks;</li>
 *   <li>among the pieces no peer holds, the least sent goes first: a piece already sent (or on its
 *       way) is refused while another has been sent fewer times. A receiver that died before
 *       announcing its piece therefore delays that piece until every other missing piece has
 *       gone out once more, never for ever;</li>
 *   <li>once peers hold every piece, the seed is one more peer and sends what it is asked for (an
 *       agent asks it only when every holder is busy or failing).</li>
 * </ul>
 * A refusal is answered "busy", which the agent takes as "ask elsewhere, and the seed again a
 * little later". Counts start at zero with the server (a new leader): at worst a piece goes out
 * once more. Thread-safe.
 */
public final class SeedSpread {
  private final Map<Tracker.PackageId, int[]> sent = new HashMap<>();

  /**
   * Whether the seed sends piece {@code piece} of {@code pkg} (of {@code pieceCount} pieces) now,
   * peers holding {@code heldByPeers}; true counts it as sent.
   */
  public synchronized boolean trySend(Tracker.PackageId pkg, int pieceCount, int piece, BitSet heldByPeers) {
    if (piece < 0 || piece >= pieceCount) {
      throw new IllegalArgumentException("piece must be in [0, " + pieceCount + "), got " + piece);
    }
    int[] counts = sent.computeIfAbsent(pkg, k -> new int[pieceCount]);
    if (counts.length != pieceCount) {
      throw new IllegalArgumentException(pkg + " has " + counts.length + " pieces, not " + pieceCount);
    }
    int missing = heldByPeers.nextClearBit(0);
    if (missing < pieceCount) {
      if (heldByPeers.get(piece)) {
        return false;
      }
      for (int q = missing; q < pieceCount; q = heldByPeers.nextClearBit(q + 1)) {
        if (counts[q] < counts[piece]) {
          return false;
        }
      }
    }
    counts[piece]++;
    return true;
  }

  /** Times piece {@code piece} of {@code pkg} was sent (tests). */
  public synchronized int sent(Tracker.PackageId pkg, int piece) {
    int[] counts = sent.get(pkg);
    return counts == null ? 0 : counts[piece];
  }
}
