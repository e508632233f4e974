package io.feitian.common.grpc;

import io.feitian.common.retry.Backoff;
import io.feitian.common.security.SecuritySettings;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A daemon's tie to the leader of an elected service, kept on a thread of its own: it finds the
 * leader (a standby's hint first, then ZooKeeper), runs one {@link #session} with it until that
 * ends, and starts over, pausing with backoff when no leader answers. Subclasses say what a
 * session is (a task-worker's registration and heartbeats, a Shennong agent's stream).
 */
public abstract class LeaderFollower implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(LeaderFollower.class);

  private enum State { LATENT, STARTED, CLOSED }

  private final AtomicReference<State> state = new AtomicReference<>(State.LATENT);
  private final String leaderKind;
  private final Supplier<Optional<String>> leaderFromZk;
  private final SecuritySettings security;
  /** Touched only by the follower's thread. */
  private final Backoff backoff;
  private final Map<String, ManagedChannel> channels = new HashMap<>();
  private final Thread thread;
  private final Semaphore leaderChanges = new Semaphore(0);
  private volatile boolean freshBackoff;
  private volatile String leaderHint;
  private volatile String connectedTo;

  /** @param leaderKind what the leader is, for the log ("fuxi-master") */
  protected LeaderFollower(String threadName, String leaderKind, Supplier<Optional<String>> leaderFromZk,
      SecuritySettings security, Backoff backoff) {
    this.leaderKind = leaderKind;
    this.leaderFromZk = leaderFromZk;
    this.security = security;
    this.backoff = backoff;
    this.thread = new Thread(this::run, threadName);
    this.thread.setDaemon(true);
  }

  public void start() {
    if (!state.compareAndSet(State.LATENT, State.STARTED)) {
      throw new IllegalStateException("already started");
    }
    thread.start();
  }

  /**
   * The election changed (a {@code LeaderLocator.onChange} listener): a follower waiting out its
   * backoff looks for the leader at once, with its backoff started afresh. Never blocks.
   */
  public void leaderChanged() {
    freshBackoff = true;
    leaderChanges.release();
  }

  /** The leader a session is established with, if any. */
  public Optional<String> connected() {
    return Optional.ofNullable(connectedTo);
  }

  /**
   * One session with the leader at {@code target}, returning when it ends. A
   * StatusRuntimeException naming another leader is followed at once; other failures pause.
   */
  protected abstract void session(String target) throws InterruptedException;

  /** The session with {@code target} is established: backoff starts afresh. Follower's thread only. */
  protected final void established(String target) {
    connectedTo = target;
    backoff.reset();
  }

  /** The session ended with {@code status}: follow the leader it names, if another; returns whether it named one. */
  protected final boolean follow(String target, Status status) {
    Optional<String> hint = LeaderHint.parse(status).filter(h -> !h.equals(target));
    hint.ifPresent(h -> leaderHint = h);
    return hint.isPresent();
  }

  protected final boolean running() {
    return state.get() == State.STARTED;
  }

  /** A channel to {@code target}, kept for the next sessions and closed with the follower. */
  protected final ManagedChannel channel(String target) {
    return channels.computeIfAbsent(target, a -> Channels.open(a, security));
  }

  private void run() {
    while (running()) {
      String target = leaderHint != null ? leaderHint : leaderFromZk.get().orElse(null);
      leaderHint = null;
      if (target == null) {
        pause();
        continue;
      }
      try {
        session(target);
      } catch (StatusRuntimeException e) {
        if (follow(target, e.getStatus())) {
          continue;
        }
        log.info("{} {} not usable: {}", leaderKind, target, StatusText.brief(e.getStatus()));
        pause();
      } catch (InterruptedException e) {
        return;
      } catch (RuntimeException e) {
        log.warn("session with {} {} failed", leaderKind, target, e);
        pause();
      } finally {
        connectedTo = null;
      }
    }
  }

  /** Waits the next backoff delay, or until the election changes. */
  protected final void pause() {
    if (freshBackoff) {
      freshBackoff = false;
      backoff.reset();
    }
    try {
      if (leaderChanges.tryAcquire(backoff.nextDelayMillis(), TimeUnit.MILLISECONDS)) {
        leaderChanges.drainPermits();
        freshBackoff = false;
        backoff.reset();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      state.set(State.CLOSED);
    }
  }

  @Override
  public void close() {
    if (state.getAndSet(State.CLOSED) != State.STARTED) {
      return;
    }
    thread.interrupt();
    try {
      thread.join(5000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    channels.values().forEach(Channels::close);
  }
}
