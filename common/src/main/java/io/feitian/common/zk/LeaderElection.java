package io.feitian.common.zk;

import io.feitian.common.grpc.LeaderHint;
import io.grpc.Status;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.LongConsumer;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.recipes.leader.LeaderLatch;
import org.apache.curator.framework.recipes.leader.LeaderLatchListener;
import org.apache.curator.framework.recipes.leader.Participant;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.data.Stat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Leader election with a fencing epoch. Participants race through a Curator
 * {@link LeaderLatch}; the winner increments the epoch znode with a versioned
 * write, and its term is that epoch. Writes of hard state go through
 * {@link #fence()}, which checks that the epoch znode is still the one this
 * leader wrote, so a deposed leader that has not noticed yet cannot write.
 *
 * <p>Leadership is given up when the ZooKeeper connection is SUSPENDED (the
 * latch's standard error policy), before the session can expire and a new
 * leader be elected. Listener calls come from one thread, in order; they are
 * not guaranteed to be current by the time they run: check {@link #epoch()}.
 */
public final class LeaderElection implements Closeable {
  private static final Logger log = LoggerFactory.getLogger(LeaderElection.class);

  /** Told of term changes. Both methods may be called repeatedly over the election's life. */
  public interface Listener {
    /** This participant now leads, with this epoch. */
    void elected(long epoch);

    /** This participant no longer leads (or never started to). */
    void deposed(String reason);

    /** A listener of the two calls, as an elected daemon writes it: take office, leave it. */
    static Listener of(LongConsumer elected, Consumer<String> deposed) {
      return new Listener() {
        @Override
        public void elected(long epoch) {
          elected.accept(epoch);
        }

        @Override
        public void deposed(String reason) {
          deposed.accept(reason);
        }
      };
    }
  }

  private enum State { LATENT, STARTED, CLOSED }

  private final AtomicReference<State> state = new AtomicReference<>(State.LATENT);
  private final CuratorFramework zk;
  private final String epochPath;
  private final String latchPath;
  private final String participantId;
  private volatile LeaderLatch latch;
  private final Listener listener;
  private final ExecutorService events;
  private volatile Term term;

  /** A won term: its epoch and the version of the epoch znode it wrote. */
  private record Term(long epoch, int epochVersion) {}

  /**
   * @param basePath e.g. "/fuxi"; the latch lives at basePath/leader, the epoch at basePath/epoch
   * @param participantId this participant's address, shown to others as the leader
   */
  public LeaderElection(CuratorFramework zk, String basePath, String participantId, Listener listener) {
    if (participantId == null || participantId.isBlank()) {
      throw new IllegalArgumentException("participantId must not be empty");
    }
    this.zk = zk;
    this.epochPath = basePath + "/epoch";
    this.listener = listener;
    this.latchPath = latchPath(basePath);
    this.participantId = participantId;
    this.events = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "leader-election");
      t.setDaemon(true);
      return t;
    });
  }

  public static String latchPath(String basePath) {
    return basePath + "/leader";
  }

  public void start() throws Exception {
    if (!state.compareAndSet(State.LATENT, State.STARTED)) {
      throw new IllegalStateException("election already started");
    }
    joinRace();
  }

  private void joinRace() throws Exception {
    LeaderLatch l = new LeaderLatch(zk, latchPath, participantId, LeaderLatch.CloseMode.NOTIFY_LEADER);
    l.addListener(new LeaderLatchListener() {
      // Both run on the events thread, one at a time, in the latch's order.
      @Override
      public void isLeader() {
        takeOffice();
      }

      @Override
      public void notLeader() {
        leaveOffice("lost the leader latch");
      }
    }, events);
    latch = l;
    l.start();
  }

  private void takeOffice() {
    if (!latch.hasLeadership() || state.get() != State.STARTED) {
      return;
    }
    try {
      Term t = bumpEpoch();
      if (!latch.hasLeadership()) {
        return;
      }
      term = t;
      log.info("elected leader with epoch {}", t.epoch());
      listener.elected(t.epoch());
    } catch (Exception e) {
      log.error("could not establish a leader term; giving up leadership", e);
      leaveOffice("could not write the epoch: " + e.getMessage());
      rejoinRace();
    }
  }

  private void leaveOffice(String reason) {
    Term previous = term;
    term = null;
    if (previous != null) {
      log.warn("deposed from epoch {}: {}", previous.epoch(), reason);
    }
    listener.deposed(reason);
  }

  /** Gives up the latch and takes part again with a fresh one, so another participant can lead meanwhile. */
  private void rejoinRace() {
    try {
      latch.close(LeaderLatch.CloseMode.SILENT);
      if (state.get() == State.STARTED) {
        joinRace();
      }
    } catch (Exception e) {
      log.error("cannot rejoin the leader election", e);
    }
  }

  private Term bumpEpoch() throws Exception {
    while (true) {
      Stat stat = new Stat();
      long current;
      try {
        byte[] data = zk.getData().storingStatIn(stat).forPath(epochPath);
        current = data.length == 8 ? ByteBuffer.wrap(data).getLong() : 0L;
      } catch (KeeperException.NoNodeException e) {
        try {
          zk.create().creatingParentsIfNeeded().forPath(epochPath, encode(0));
        } catch (KeeperException.NodeExistsException raced) {
          // another participant created it first: read it again
        }
        continue;
      }
      try {
        Stat written = zk.setData().withVersion(stat.getVersion()).forPath(epochPath, encode(current + 1));
        return new Term(current + 1, written.getVersion());
      } catch (KeeperException.BadVersionException raced) {
        // a concurrent (older) leader moved it; read again
      }
    }
  }

  private static byte[] encode(long epoch) {
    return ByteBuffer.allocate(8).putLong(epoch).array();
  }

  /** True while this participant holds the latch and has established its epoch. */
  public boolean isLeader() {
    return term != null && latch.hasLeadership();
  }

  /** The epoch of this participant's current term, or 0 when it does not lead. */
  public long epoch() {
    Term t = term;
    return t == null ? 0 : t.epoch();
  }

  /** The fencing check of the current term, for multi-op transactions of hard state. */
  public Fence fence() {
    Term t = term;
    if (t == null || !latch.hasLeadership()) {
      throw new FencedOutException("not the leader", null);
    }
    return new Fence(zk, epochPath, t.epochVersion(), t.epoch());
  }

  /**
   * The epoch of the latest term anyone won (the current leader's, once it
   * has written it), read from ZooKeeper: what a standby reports. 0 if no
   * term was won yet or ZooKeeper cannot be read.
   */
  public long latestEpoch() {
    try {
      byte[] data = zk.getData().forPath(epochPath);
      return data.length == 8 ? ByteBuffer.wrap(data).getLong() : 0L;
    } catch (Exception e) {
      return 0L;
    }
  }

  /** The current leader's id (address), as ZooKeeper sees it. */
  public Optional<String> currentLeader() {
    try {
      Participant p = latch.getLeader();
      return p.getId().isEmpty() ? Optional.empty() : Optional.of(p.getId());
    } catch (Exception e) {
      return Optional.empty();
    }
  }

  /** UNAVAILABLE for a call this participant cannot serve now: names the leader ({@link LeaderHint}). */
  public Status refusal() {
    return LeaderHint.notLeader(currentLeader(), participantId);
  }

  /** Every participant's id, leader first. */
  public List<Participant> participants() {
    try {
      return new ArrayList<>(latch.getParticipants());
    } catch (Exception e) {
      return List.of();
    }
  }

  @Override
  public void close() {
    if (state.getAndSet(State.CLOSED) != State.STARTED) {
      return;
    }
    try {
      latch.close();
    } catch (IOException | IllegalStateException e) {
      log.warn("closing leader latch", e);
    }
    events.shutdown();
    try {
      events.awaitTermination(2, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
