package io.feitian.dayu.p2p;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * dayu-server's tracker: which agents hold which pieces of which package. Agents announce what
 * they hold (all of it each time, so a lost announce is repaired by the next) and say when they
 * leave; an agent silent for {@code expiryMillis} is forgotten. Time comes in as {@code now},
 * randomness as the given {@link Random}. Thread-safe (the gRPC threads share one).
 *
 * <p>{@link #peers} answers an asking agent with at most {@code maxPeers} others holding at least
 * one piece it lacks (as far as its own announces tell), each with only the pieces it lacks:
 * those in its rack first, then the rest, each group in random order so that a thousand agents
 * asking at once do not all land on the same few. Answering only what the asker can use keeps
 * the answers small: dayu-server's link also carries the seed's pieces, and on a slow link the
 * tracker's answers queued behind them slowed every agent (docs/PERFORMANCE.md, "Slow links").
 */
public final class Tracker {
  /** A package, by module and version. */
  public record PackageId(String module, String version) {}

  /** An agent that serves pieces at {@code address}, in {@code rack}. */
  public record Peer(String address, String host, String rack) {}

  /** A peer and the pieces it holds of the package asked about. */
  public record Holding(Peer peer, BitSet pieces) {
    public Holding {
      pieces = (BitSet) pieces.clone();
    }
  }

  private record Entry(Peer peer, BitSet pieces, long lastSeen) {}

  private final long expiryMillis;
  private final int maxPeers;
  private final Random random;
  private final Map<PackageId, Map<String, Entry>> packages = new HashMap<>();

  public Tracker(long expiryMillis, int maxPeers, Random random) {
    if (expiryMillis < 1 || maxPeers < 1) {
      throw new IllegalArgumentException("expiry and maxPeers must be positive, got " + expiryMillis + ", " + maxPeers);
    }
    this.expiryMillis = expiryMillis;
    this.maxPeers = maxPeers;
    this.random = random;
  }

  /** {@code peer} holds {@code pieces} of {@code pkg} (replacing what it said before); none at all forgets it for that package. */
  public synchronized void announce(long now, PackageId pkg, Peer peer, BitSet pieces) {
    if (pieces.isEmpty()) {
      Map<String, Entry> holders = packages.get(pkg);
      if (holders != null) {
        holders.remove(peer.address());
        if (holders.isEmpty()) {
          packages.remove(pkg);
        }
      }
      return;
    }
    packages.computeIfAbsent(pkg, k -> new HashMap<>()).put(peer.address(), new Entry(peer, (BitSet) pieces.clone(), now));
  }

  /** The agent at {@code address} leaves: it serves no package any more. */
  public synchronized void depart(String address) {
    for (Iterator<Map<String, Entry>> it = packages.values().iterator(); it.hasNext(); ) {
      Map<String, Entry> holders = it.next();
      holders.remove(address);
      if (holders.isEmpty()) {
        it.remove();
      }
    }
  }

  /**
   * Peers holding pieces of {@code pkg} that the agent at {@code askerAddress} in {@code askerRack}
   * lacks (never itself), each with those pieces only: same rack first, at most {@code maxPeers}.
   * Forgets silent peers first.
   */
  public synchronized List<Holding> peers(long now, PackageId pkg, String askerAddress, String askerRack) {
    expire(now);
    Map<String, Entry> holders = packages.getOrDefault(pkg, Map.of());
    Entry asker = holders.get(askerAddress);
    BitSet askerHolds = asker == null ? new BitSet() : asker.pieces();
    List<Entry> found = new ArrayList<>();
    for (Entry e : holders.values()) {
      if (!e.peer().address().equals(askerAddress)) {
        BitSet useful = (BitSet) e.pieces().clone();
        useful.andNot(askerHolds);
        if (!useful.isEmpty()) {
          found.add(new Entry(e.peer(), useful, e.lastSeen()));
        }
      }
    }
    found.sort(Comparator.comparing(e -> e.peer().address())); // a known order before the seeded shuffle
    Collections.shuffle(found, random);
    found.sort(Comparator.comparingInt(e -> e.peer().rack().equals(askerRack) ? 0 : 1));
    List<Holding> out = new ArrayList<>();
    for (Entry e : found.subList(0, Math.min(maxPeers, found.size()))) {
      out.add(new Holding(e.peer(), e.pieces()));
    }
    return out;
  }

  /** Forgets every peer not heard from within the expiry. */
  public synchronized void expire(long now) {
    for (Iterator<Map<String, Entry>> it = packages.values().iterator(); it.hasNext(); ) {
      Map<String, Entry> holders = it.next();
      holders.values().removeIf(e -> now - e.lastSeen() > expiryMillis);
      if (holders.isEmpty()) {
        it.remove();
      }
    }
  }

  /** The pieces of {@code pkg} that at least one peer holds (the seed sends the others first). */
  public synchronized BitSet held(long now, PackageId pkg) {
    expire(now);
    BitSet any = new BitSet();
    for (Entry e : packages.getOrDefault(pkg, Map.of()).values()) {
      any.or(e.pieces());
    }
    return any;
  }

  /** How many peers are known for {@code pkg} (tests, logs). */
  public synchronized int holders(PackageId pkg) {
    return packages.getOrDefault(pkg, Map.of()).size();
  }
}
