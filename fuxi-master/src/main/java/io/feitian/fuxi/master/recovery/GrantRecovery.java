package io.feitian.fuxi.master.recovery;

import io.feitian.common.resource.ResourceVector;
import io.feitian.fuxi.master.scheduler.Grant;
import io.feitian.fuxi.master.scheduler.Outcome;
import io.feitian.fuxi.master.scheduler.Scheduler;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * How a leader term learns who holds what: nodes report the grants they run,
 * application masters claim the grants they hold, in any order, late, twice,
 * or not at all. It decides, for every reported or claimed grant, whether the
 * term's books keep it, and returns what each side must be told; the term's
 * shell sends it.
 *
 * <p>The rules, and why:
 * <ul>
 *   <li>Until an application's master has attached, its node's reports decide
 *       (a grant the node runs is kept); once it has attached, its claims decide:
 *       a grant its master does not claim was given back, or was never heard of,
 *       before the failover, and nothing of the application runs in it.</li>
 *   <li>A claim on a node that has not registered in this term is parked, not
 *       refused, while unseen nodes may still come back (the recovery window and
 *       one node timeout more): a node slow to find the new leader loses nothing
 *       its master still claims. A claim on a node lost in this term is refused:
 *       its grants were revoked and their owners told.</li>
 *   <li>A node that registers again in the same term (restarted, or its stream
 *       broke) is told the books: what it reports and the books do not hold is
 *       revoked, what the books hold and it does not report is announced again.</li>
 * </ul>
 *
 * <p>The application master's own grant ({@link #MASTER_UNIT}) is never claimed
 * by the master: it is kept from the node's report alone.
 *
 * <p>Not thread-safe: the term calls it from its loop. Time comes in as
 * arguments; the books are the term's {@link Scheduler}.
 */
public final class GrantRecovery {
  /** The unit of an application master's own grant. */
  public static final String MASTER_UNIT = "__master__";

  private final Scheduler books;
  private final long termStartMillis;
  private final long recoveryWindowMillis;
  private final long nodeTimeoutMillis;
  /** Applications whose master attached in this term: their claims decide what they hold. */
  private final Set<String> attached = new HashSet<>();
  /** Nodes lost in this term, with the grants revoked then (they stay revoked if the node reports them). */
  private final Map<String, Set<Long>> revokedWithLostNode = new HashMap<>();
  /** Grants claimed on nodes that have not registered in this term yet. */
  private final Map<String, List<Grant>> parkedClaims = new TreeMap<>();

  public GrantRecovery(Scheduler books, long termStartMillis, long recoveryWindowMillis, long nodeTimeoutMillis) {
    if (recoveryWindowMillis < 0 || nodeTimeoutMillis <= 0) {
      throw new IllegalArgumentException("recovery window must be >= 0 and node timeout > 0, got "
          + recoveryWindowMillis + " and " + nodeTimeoutMillis);
    }
    this.books = books;
    this.termStartMillis = termStartMillis;
    this.recoveryWindowMillis = recoveryWindowMillis;
    this.nodeTimeoutMillis = nodeTimeoutMillis;
  }

  /** Whether nodes are still reporting what they run (no new master is started meanwhile). */
  public boolean inRecovery(long now) {
    return now - termStartMillis < recoveryWindowMillis;
  }

  /**
   * Whether a node this term has not heard from may still come back with its
   * work: for the recovery window, and then for one node timeout more, the
   * silence any live node is allowed.
   */
  public boolean unseenNodesMayReturn(long now) {
    return now - termStartMillis < recoveryWindowMillis + nodeTimeoutMillis;
  }

  public static boolean isMasterGrant(Grant g) {
    return MASTER_UNIT.equals(g.unit());
  }

  /** Whether the node was lost in this term (and has not registered since). */
  public boolean isLost(String nodeId) {
    return revokedWithLostNode.containsKey(nodeId);
  }

  /**
   * What a node's registration decided.
   *
   * @param revoked reported grants the node must kill (answered in its registration)
   * @param announced grants the node must hold that it did not report
   * @param claimsLost per application, parked claims on this node that could not be restored
   * @param issued grants the books issued meanwhile (the node's room scheduled), to deliver
   * @param refusals why grants could not be restored, for the log
   */
  public record Registration(List<Long> revoked, List<Grant> announced, Map<String, List<Long>> claimsLost,
      List<Grant> issued, List<String> refusals) {}

  /**
   * A node registers with the grants it runs: for the first time in this
   * term, or again. Every reported grant is on {@code nodeId} (the shell
   * checks this, naming the field). Throws {@link IllegalArgumentException}
   * before changing anything if the registration contradicts the books
   * (another rack).
   */
  public Registration register(String nodeId, String rack, ResourceVector total, List<Grant> reported) {
    return books.node(nodeId).isPresent() ? registerAgain(nodeId, rack, total, reported)
        : registerFirst(nodeId, rack, total, reported);
  }

  private Registration registerAgain(String nodeId, String rack, ResourceVector total, List<Grant> reported) {
    List<Grant> issued = new ArrayList<>(books.addNode(nodeId, rack, total).granted());
    Set<Long> reportedIds = new HashSet<>();
    List<Long> revoked = new ArrayList<>();
    for (Grant g : reported) {
      reportedIds.add(g.grantId());
      if (books.grant(g.grantId()).filter(held -> held.nodeId().equals(nodeId)).isEmpty()) {
        revoked.add(g.grantId());
      }
    }
    List<Grant> announced = books.grantsOn(nodeId).stream().filter(g -> !reportedIds.contains(g.grantId())).toList();
    return new Registration(revoked, announced, Map.of(), issued, List.of());
  }

  private Registration registerFirst(String nodeId, String rack, ResourceVector total, List<Grant> reported) {
    Set<Long> revokedWhenLost = revokedWithLostNode.getOrDefault(nodeId, Set.of());
    Set<Long> parked = new HashSet<>();
    parkedClaims.getOrDefault(nodeId, List.of()).forEach(g -> parked.add(g.grantId()));
    List<Long> revoked = new ArrayList<>();
    List<String> refusals = new ArrayList<>();
    List<Grant> kept = new ArrayList<>();
    for (Grant g : reported) {
      boolean unclaimed = attached.contains(g.appId()) && !isMasterGrant(g) && !parked.contains(g.grantId());
      if (!active(g.appId()) || books.grant(g.grantId()).isPresent() || revokedWhenLost.contains(g.grantId())
          || unclaimed) {
        revoked.add(g.grantId());
      } else {
        kept.add(g);
      }
    }
    List<Grant> issued = new ArrayList<>();
    // What the node holds goes into the books before anything new can be placed on it.
    boolean blacklisted = books.isBlacklisted(nodeId);
    books.blacklist(nodeId);
    issued.addAll(books.addNode(nodeId, rack, total).granted());
    for (Grant g : kept) {
      if (!tryRestore(g, refusals)) {
        revoked.add(g.grantId());
      }
    }
    if (!blacklisted) {
      issued.addAll(books.unblacklist(nodeId).granted());
    }
    revokedWithLostNode.remove(nodeId);

    // Claims parked for this node are settled: restored unless the node's report already restored them.
    List<Grant> announced = new ArrayList<>();
    Map<String, List<Long>> claimsLost = new LinkedHashMap<>();
    for (Grant claim : parkedClaims.getOrDefault(nodeId, List.of())) {
      if (!active(claim.appId()) || books.grant(claim.grantId()).isPresent()) {
        continue;
      }
      if (tryRestore(claim, refusals)) {
        announced.add(claim);
      } else {
        claimsLost.computeIfAbsent(claim.appId(), k -> new ArrayList<>()).add(claim.grantId());
      }
    }
    parkedClaims.remove(nodeId);
    return new Registration(revoked, announced, claimsLost, issued, refusals);
  }

  /**
   * What a master's attach decided.
   *
   * @param rejected claimed grants the application does not hold
   * @param announced claimed grants restored on a registered node that did not report them: tell the node
   * @param unclaimed grants the books held for the application that its master did not claim: taken
   *     back, their nodes must kill whatever runs in them
   * @param issued grants the books issued with the room the unclaimed ones freed, to deliver
   * @param refusals why claims could not be restored, for the log
   */
  public record Attachment(List<Long> rejected, List<Grant> announced, List<Grant> unclaimed, List<Grant> issued,
      List<String> refusals) {}

  /**
   * A master attaches claiming {@code claims} (grants of {@code appId}); from
   * now on its claims, not the nodes' reports, decide what the application holds.
   */
  public Attachment attach(String appId, List<Grant> claims, long now) {
    for (Grant claim : claims) {
      if (!claim.appId().equals(appId)) {
        throw new IllegalArgumentException("grant " + claim.grantId() + " belongs to " + claim.appId() + ", not " + appId);
      }
    }
    attached.add(appId);
    // The latest attach states everything the master holds: what it claimed before and not now, it gave back.
    forgetParkedClaims(g -> g.appId().equals(appId));
    List<Long> rejected = new ArrayList<>();
    List<String> refusals = new ArrayList<>();
    List<Grant> announced = new ArrayList<>();
    Set<Long> claimed = new HashSet<>();
    for (Grant claim : claims) {
      claimed.add(claim.grantId());
      var held = books.grant(claim.grantId());
      if (held.isPresent()) {
        if (!held.get().appId().equals(appId)) {
          rejected.add(claim.grantId());
        }
      } else if (books.node(claim.nodeId()).isPresent()) {
        if (tryRestore(claim, refusals)) {
          announced.add(claim);
        } else {
          rejected.add(claim.grantId());
        }
      } else if (!isLost(claim.nodeId()) && unseenNodesMayReturn(now)) {
        park(claim);
      } else {
        rejected.add(claim.grantId());
      }
    }
    List<Grant> unclaimed = new ArrayList<>();
    List<Grant> issued = new ArrayList<>();
    for (Grant g : books.grantsOf(appId)) {
      if (!isMasterGrant(g) && !claimed.contains(g.grantId())) {
        unclaimed.add(g);
      }
    }
    for (Grant g : unclaimed) {
      issued.addAll(books.release(g.grantId()).granted());
    }
    return new Attachment(rejected, announced, unclaimed, issued, refusals);
  }

  private void park(Grant claim) {
    parkedClaims.computeIfAbsent(claim.nodeId(), k -> new ArrayList<>()).add(claim);
  }

  /**
   * A registered node was declared lost: its grants are revoked (returned in
   * the outcome's {@code released}; tell their owners) and stay revoked if it
   * comes back reporting them.
   */
  public Outcome nodeLost(String nodeId) {
    Outcome out = books.removeNode(nodeId);
    Set<Long> ids = new HashSet<>();
    out.released().forEach(g -> ids.add(g.grantId()));
    revokedWithLostNode.put(nodeId, ids);
    return out;
  }

  /**
   * The master gave grants back. Those the books do not hold may be claims
   * parked for a node not back yet: they are claims no more, so the node's
   * report will not restore them.
   */
  public void claimsReturned(String appId, Collection<Long> grantIds) {
    forgetParkedClaims(g -> g.appId().equals(appId) && grantIds.contains(g.grantId()));
  }

  /** An application ended: nothing of it is kept or claimed any more. */
  public void appEnded(String appId) {
    attached.remove(appId);
    forgetParkedClaims(g -> g.appId().equals(appId));
  }

  private void forgetParkedClaims(Predicate<Grant> which) {
    parkedClaims.values().forEach(claims -> claims.removeIf(which));
    parkedClaims.values().removeIf(List::isEmpty);
  }

  /**
   * Claims still parked once unseen nodes can no longer return are lost: their
   * nodes never came back. Returns them per application (tell each master),
   * and forgets them.
   */
  public Map<String, Map<String, List<Long>>> expireParkedClaims(long now) {
    if (unseenNodesMayReturn(now) || parkedClaims.isEmpty()) {
      return Map.of();
    }
    Map<String, Map<String, List<Long>>> lostByNode = new TreeMap<>();
    parkedClaims.forEach((node, claims) -> claims.forEach(g -> lostByNode.computeIfAbsent(node, k -> new TreeMap<>())
        .computeIfAbsent(g.appId(), k -> new ArrayList<>()).add(g.grantId())));
    parkedClaims.clear();
    return lostByNode;
  }

  /** Grants claimed on nodes not registered yet, for tests and status. */
  public int parkedClaimCount() {
    return parkedClaims.values().stream().mapToInt(List::size).sum();
  }

  private boolean active(String appId) {
    return books.app(appId).isPresent();
  }

  private boolean tryRestore(Grant g, List<String> refusals) {
    try {
      books.restore(g);
      return true;
    } catch (IllegalArgumentException | IllegalStateException e) {
      refusals.add(e.getMessage());
      return false;
    }
  }
}
