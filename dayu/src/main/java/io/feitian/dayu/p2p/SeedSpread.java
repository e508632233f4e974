package io.feitian.dayu.p2p;

import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Which pieces dayu-server, the seed, agrees to send: its upload should carry about one copy of
 * a package into the swarm, each piece once, the agents copying pieces among themselves. Agents
 * starting together cannot know which pieces the others are already fetching from the seed (the
 * tracker learns a piece only once it is held), so they ask for the same ones; the seed decides:
 * <ul>
 *   <li>a piece that some peer holds (as the tracker knows) is refused, whether or not the others
 *       are held yet: the asker gets it from that peer, the seed's upload goes to what the swarm
 *       lacks. A peer that is busy is no reason to ask the seed: its upload slots free as its
 *       sends end. The one exception is an asker that says it could reach none of the piece's
 *       holders (each failed it: a cut link, a peer that lost the piece); for it the piece
 *       counts as held by no one;</li>
 *   <li>among the pieces no peer holds, the least sent goes first: a piece already sent (or on its
 *       way) is refused while another has been sent fewer times. A receiver that died before
 *       announcing its piece therefore delays that piece until every other missing piece has
 *       gone out once more, never for ever.</li>
 * </ul>
 * A refusal is answered "busy", which the agent takes as "ask elsewhere, and the seed again a
 * little later". Counts start at zero with the server (a new leader), and only the last
 * {@value #PACKAGES_KEPT} packages asked about are counted: at worst a piece goes out once more.
 * Thread-safe.
 */
public final class SeedSpread {
  /** Packages whose counts are kept; the least recently asked about is forgotten first. */
  static final int PACKAGES_KEPT = 64;

  private final Map<Tracker.PackageId, int[]> sent = new LinkedHashMap<>(16, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<Tracker.PackageId, int[]> eldest) {
      return size() > PACKAGES_KEPT;
    }
  };

  /**
   * Whether the seed sends piece {@code piece} of {@code pkg} (of {@code pieceCount} pieces) now,
   * peers holding {@code heldByPeers}, the asker having reached none of the piece's holders if
   * {@code holdersUnreachable}; true counts it as sent.
   */
  public synchronized boolean trySend(Tracker.PackageId pkg, int pieceCount, int piece, BitSet heldByPeers,
      boolean holdersUnreachable) {
    if (piece < 0 || piece >= pieceCount) {
      throw new IllegalArgumentException("piece must be in [0, " + pieceCount + "), got " + piece);
    }
    int[] counts = sent.computeIfAbsent(pkg, k -> new int[pieceCount]);
    if (counts.length != pieceCount) {
      throw new IllegalArgumentException(pkg + " has " + counts.length + " pieces, not " + pieceCount);
    }
    BitSet held = (BitSet) heldByPeers.clone();
    if (holdersUnreachable) {
      held.clear(piece);
    }
    if (held.get(piece)) {
      return false;
    }
    for (int q = held.nextClearBit(0); q < pieceCount; q = held.nextClearBit(q + 1)) {
      if (counts[q] < counts[piece]) {
        return false;
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
