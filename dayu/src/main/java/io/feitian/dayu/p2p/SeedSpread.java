package io.feitian.dayu.p2p;

import java.util.Arrays;
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
 *   <li>a piece <b>on its way</b> is refused: its send has not ended, or ended less than the
 *       settle time ago (its bytes cross the link, its receiver checks, stores and announces it
 *       meanwhile; {@code dayu.server.p2p.seed-settle}, {@value #DEFAULT_SETTLE_MILLIS} ms by
 *       default, longer on slow links, where a send ends as its bytes enter the connection's
 *       buffers and takes seconds more to arrive).
 *       Without this, the seed's last pieces went out twice: a send ended, a slot came free, and
 *       another agent asked for the piece before its receiver had announced it;</li>
 *   <li>among the pieces no peer holds, the least sent goes first: a piece already sent is refused
 *       while another has been sent fewer times. A receiver that died before announcing its
 *       piece therefore delays that piece until every other missing piece has gone out once
 *       more, never for ever.</li>
 * </ul>
 * A refusal is answered "busy", which the agent takes as "ask elsewhere, and the seed again a
 * little later". Counts start at zero with the server (a new leader), and only the last
 * {@value #PACKAGES_KEPT} packages asked about are counted: at worst a piece goes out once more.
 * Thread-safe.
 */
public final class SeedSpread {
  /** Packages whose counts are kept; the least recently asked about is forgotten first. */
  static final int PACKAGES_KEPT = 64;
  /** How long after its send ended a piece is still taken to be on its way, by default. */
  public static final long DEFAULT_SETTLE_MILLIS = 3_000;

  /** One package's pieces: times sent, sends not ended, when the last send ended. */
  private static final class Pieces {
    final int[] sent;
    final int[] sending;
    final long[] endedAt;

    Pieces(int count) {
      sent = new int[count];
      sending = new int[count];
      endedAt = new long[count];
      Arrays.fill(endedAt, Long.MIN_VALUE);
    }

    boolean onItsWay(int piece, long now, long settleMillis) {
      return sending[piece] > 0 || (endedAt[piece] != Long.MIN_VALUE && now - endedAt[piece] < settleMillis);
    }
  }

  private final long settleMillis;

  private final Map<Tracker.PackageId, Pieces> packages = new LinkedHashMap<>(16, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<Tracker.PackageId, Pieces> eldest) {
      return size() > PACKAGES_KEPT;
    }
  };

  /** @param settleMillis how long after its send ended a piece is still taken to be on its way */
  public SeedSpread(long settleMillis) {
    if (settleMillis < 0) {
      throw new IllegalArgumentException("dayu.server.p2p.seed-settle must not be negative, got " + settleMillis + " ms");
    }
    this.settleMillis = settleMillis;
  }

  /**
   * Whether the seed sends piece {@code piece} of {@code pkg} (of {@code pieceCount} pieces) at
   * {@code now}, peers holding {@code heldByPeers}, the asker having reached none of the piece's
   * holders if {@code holdersUnreachable} (then neither a holder nor a send on its way to another
   * agent is a reason to refuse: that agent may be out of reach too); true counts it as sent and
   * on its way until {@link #ended}.
   */
  public synchronized boolean trySend(Tracker.PackageId pkg, int pieceCount, int piece, BitSet heldByPeers,
      boolean holdersUnreachable, long now) {
    if (piece < 0 || piece >= pieceCount) {
      throw new IllegalArgumentException("piece must be in [0, " + pieceCount + "), got " + piece);
    }
    Pieces pieces = packages.computeIfAbsent(pkg, k -> new Pieces(pieceCount));
    if (pieces.sent.length != pieceCount) {
      throw new IllegalArgumentException(pkg + " has " + pieces.sent.length + " pieces, not " + pieceCount);
    }
    BitSet held = (BitSet) heldByPeers.clone();
    if (holdersUnreachable) {
      held.clear(piece);
    }
    if (held.get(piece) || (!holdersUnreachable && pieces.onItsWay(piece, now, settleMillis))) {
      return false;
    }
    for (int q = held.nextClearBit(0); q < pieceCount; q = held.nextClearBit(q + 1)) {
      if (pieces.sent[q] < pieces.sent[piece]) {
        return false;
      }
    }
    pieces.sent[piece]++;
    pieces.sending[piece]++;
    return true;
  }

  /** A send {@link #trySend} allowed has ended at {@code now}, whether or not the piece arrived. */
  public synchronized void ended(Tracker.PackageId pkg, int piece, long now) {
    Pieces pieces = packages.get(pkg);
    if (pieces != null && pieces.sending[piece] > 0) { // null or 0: forgotten since
      pieces.sending[piece]--;
      pieces.endedAt[piece] = now;
    }
  }

  /** Times piece {@code piece} of {@code pkg} was sent (tests). */
  public synchronized int sent(Tracker.PackageId pkg, int piece) {
    Pieces pieces = packages.get(pkg);
    return pieces == null ? 0 : pieces.sent[piece];
  }
}
