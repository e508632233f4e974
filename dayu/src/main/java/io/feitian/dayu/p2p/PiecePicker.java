package io.feitian.dayu.p2p;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * Decides, for one agent fetching one package, which piece to request next from which peer. The
 * caller does the requests and reports each outcome; time comes in as {@code now}, randomness as
 * the given {@link Random}. Not thread-safe: one fetch loop owns it.
 *
 * <p>Rules, in order: a piece already held or in flight is never requested; the <b>rarest</b>
 * piece (held by the fewest peers) goes first, ties broken at random so that agents starting
 * together spread over different pieces; a piece goes to a peer holding it with a free request
 * slot ({@code perPeer} in flight at most), in the <b>same rack</b> first, then the peer with the
 * fewest requests in flight; at most {@code total} requests are in flight. A peer that served a
 * bad piece is <b>banned</b> for the rest of the fetch; one that answered busy or failed is left
 * alone for {@code pauseMillis}.
 *
 * <p>The seed (dayu-server, which holds every piece) is asked for a piece only when no ordinary
 * peer holds it, or when every holder <em>failed</em> (the request then says so, {@link
 * Request#holdersUnreachable}, as it does when a banned peer claimed the piece: the tracker
 * still names it as a holder, so the seed would otherwise refuse): a holder that answered busy is waited for, since its slots free
 * as its sends end, and the seed's upload stays near one copy of the package ({@link SeedSpread}
 * refuses the rest).
 */
public final class PiecePicker {
  /**
   * Ask {@code peer} for {@code piece}; {@code holdersUnreachable} when asking the seed for a piece
   * that ordinary peers hold but every one of them failed.
   */
  public record Request(int piece, String peer, boolean holdersUnreachable) {
    public Request(int piece, String peer) {
      this(piece, peer, false);
    }
  }

  private static final class Peer {
    final boolean seed;
    String rack;
    BitSet pieces;
    int inFlight;
    long pausedUntil = Long.MIN_VALUE;
    /** The last answer was a failure, not "busy": while paused it counts as not reachable. */
    boolean failing;

    Peer(String rack, BitSet pieces, boolean seed) {
      this.rack = rack;
      this.pieces = pieces;
      this.seed = seed;
    }
  }

  private final int pieceCount;
  private final String rack;
  private final int perPeer;
  private final int total;
  private final long pauseMillis;
  private final Random random;
  private final BitSet held = new BitSet();
  private final Map<Integer, String> inFlight = new HashMap<>();
  private final Map<String, Peer> peers = new HashMap<>();
  private final Set<String> banned = new HashSet<>();
  /** What banned peers claimed to hold: pieces whose holders, for this agent, include bad ones. */
  private final BitSet claimedByBanned = new BitSet();

  /**
   * @param rack this agent's rack
   * @param perPeer requests in flight to one peer at most
   * @param total requests in flight at most
   * @param pauseMillis how long a peer that answered busy or failed is not asked again
   */
  public PiecePicker(int pieceCount, String rack, int perPeer, int total, long pauseMillis, Random random) {
    if (pieceCount < 0 || perPeer < 1 || total < 1 || pauseMillis < 0) {
      throw new IllegalArgumentException("pieceCount >= 0, perPeer >= 1, total >= 1, pauseMillis >= 0; got "
          + pieceCount + ", " + perPeer + ", " + total + ", " + pauseMillis);
    }
    this.pieceCount = pieceCount;
    this.rack = rack;
    this.perPeer = perPeer;
    this.total = total;
    this.pauseMillis = pauseMillis;
    this.random = random;
  }

  /** Pieces already on disk (an agent that restarted resumes from them). */
  public void held(int piece) {
    check(piece);
    held.set(piece);
  }

  /** What {@code id} holds, as the tracker or the peer said; replaces what was known. A banned peer stays out. */
  public void peer(String id, String peerRack, BitSet pieces, boolean seed) {
    BitSet copy = (BitSet) pieces.clone();
    if (copy.length() > pieceCount) {
      copy.clear(pieceCount, copy.length());
    }
    if (banned.contains(id)) {
      claimedByBanned.or(copy);
      return;
    }
    Peer known = peers.get(id);
    if (known == null) {
      peers.put(id, new Peer(peerRack, copy, seed));
    } else {
      known.rack = peerRack;
      known.pieces = copy;
    }
  }

  /** The next requests to make; each piece is in flight from then until its outcome is reported. */
  public List<Request> next(long now) {
    List<Request> out = new ArrayList<>();
    if (inFlight.size() >= total) {
      return out;
    }
    List<Integer> wanted = new ArrayList<>();
    Map<Integer, Integer> availability = new HashMap<>();
    for (int p = held.nextClearBit(0); p < pieceCount; p = held.nextClearBit(p + 1)) {
      if (inFlight.containsKey(p)) {
        continue;
      }
      int holders = 0;
      for (Peer peer : peers.values()) {
        if (!peer.seed && peer.pieces.get(p)) {
          holders++;
        }
      }
      wanted.add(p);
      availability.put(p, holders);
    }
    Collections.shuffle(wanted, random);
    wanted.sort(Comparator.comparingInt(availability::get)); // stable: ties stay shuffled
    for (int piece : wanted) {
      if (inFlight.size() >= total) {
        break;
      }
      Request request = choosePeer(piece, now);
      if (request != null) {
        inFlight.put(piece, request.peer());
        peers.get(request.peer()).inFlight++;
        out.add(request);
      }
    }
    return out;
  }

  /**
   * The request for {@code piece} to the best peer with a free slot, or null. The seed only when
   * no ordinary peer holds it, or every holder is paused after a failure: better to wait for a
   * busy peer's free slot than to load the server.
   */
  private Request choosePeer(int piece, long now) {
    boolean someHolder = false;
    boolean reachableHolder = false;
    for (Peer p : peers.values()) {
      if (!p.seed && p.pieces.get(piece)) {
        someHolder = true;
        reachableHolder |= !(p.failing && p.pausedUntil > now);
      }
    }
    List<String> candidates = new ArrayList<>();
    for (Map.Entry<String, Peer> e : peers.entrySet()) {
      Peer p = e.getValue();
      if (p.pieces.get(piece) && p.pausedUntil <= now && p.inFlight < perPeer && p.seed != reachableHolder) {
        candidates.add(e.getKey());
      }
    }
    if (candidates.isEmpty()) {
      return null;
    }
    Collections.shuffle(candidates, random);
    candidates.sort(Comparator.<String>comparingInt(id -> rack.equals(peers.get(id).rack) ? 0 : 1)
        .thenComparingInt(id -> peers.get(id).inFlight));
    String chosen = candidates.get(0);
    return new Request(piece, chosen, peers.get(chosen).seed && (someHolder || claimedByBanned.get(piece)));
  }

  /** {@code piece} arrived from {@code peer} and matched its checksum. */
  public void received(int piece, String peer) {
    end(piece, peer);
    held.set(piece);
    Peer p = peers.get(peer);
    if (p != null) {
      p.failing = false;
    }
  }

  /**
   * {@code peer} answered busy (no free upload slot): ask elsewhere, and not it for a while; it
   * still counts as a holder, so the seed is not asked in its place.
   */
  public void busy(int piece, String peer, long now) {
    pause(piece, peer, now, false);
  }

  /**
   * The request failed (peer gone, connection lost, a deadline): ask elsewhere, and not it for a
   * while; if every holder of a piece failed, the seed is asked for it.
   */
  public void failed(int piece, String peer, long now) {
    pause(piece, peer, now, true);
  }

  private void pause(int piece, String peer, long now, boolean failure) {
    end(piece, peer);
    Peer p = peers.get(peer);
    if (p != null) {
      p.pausedUntil = now + pauseMillis;
      p.failing = failure;
    }
  }

  /** {@code peer} served bytes that are not the piece: it is never asked again in this fetch. */
  public void corrupt(int piece, String peer) {
    end(piece, peer);
    Peer bad = peers.remove(peer);
    if (bad != null) {
      claimedByBanned.or(bad.pieces);
    }
    banned.add(peer);
  }

  private void end(int piece, String peer) {
    check(piece);
    if (!peer.equals(inFlight.get(piece))) {
      throw new IllegalStateException("piece " + piece + " is not in flight from " + peer);
    }
    inFlight.remove(piece);
    Peer p = peers.get(peer);
    if (p != null) {
      p.inFlight--;
    }
  }

  private void check(int piece) {
    if (piece < 0 || piece >= pieceCount) {
      throw new IllegalArgumentException("piece must be in [0, " + pieceCount + "), got " + piece);
    }
  }

  public boolean complete() {
    return held.cardinality() == pieceCount;
  }

  public BitSet heldPieces() {
    return (BitSet) held.clone();
  }

  public int inFlight() {
    return inFlight.size();
  }

  /** Requests in flight to {@code peer}. */
  public int inFlight(String peer) {
    Peer p = peers.get(peer);
    return p == null ? 0 : p.inFlight;
  }

  public boolean isBanned(String peer) {
    return banned.contains(peer);
  }
}
