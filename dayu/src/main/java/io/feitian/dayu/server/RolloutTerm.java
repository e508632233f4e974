package io.feitian.dayu.server;

import io.feitian.common.lifecycle.EventLoop;
import io.feitian.dayu.control.RolloutControl;
import io.feitian.dayu.control.RolloutSettings;
import io.feitian.dayu.db.ConfigDatabase;
import io.feitian.proto.dayu.v1.NodeWork;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What dayu-server does while it leads (always, without an election): a {@link RolloutControl}
 * that picked up the unsettled rollouts from the database, its ticker, and the agents' Watch
 * streams open on it. Closing the term stops the ticker, drops the control's memory (the database
 * holds the truth, and the next leader resumes from it) and ends every Watch with the status
 * {@code endStatus} gives, so that the agents go and find the new leader.
 */
final class RolloutTerm implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(RolloutTerm.class);

  private final RolloutControl rollouts;
  private final EventLoop ticker;
  private final Supplier<Status> endStatus;
  private final Set<Watch> watches = ConcurrentHashMap.newKeySet();
  private volatile boolean closed;

  RolloutTerm(ConfigDatabase database, RolloutSettings settings, Supplier<Status> endStatus) {
    this.endStatus = endStatus;
    this.rollouts = new RolloutControl(database, settings, System::currentTimeMillis);
    rollouts.resume();
    // tick() survives each rollout's failure itself; the loop logs anything else and goes on.
    this.ticker = new EventLoop("dayu-rollouts", e -> log.warn("rollout tick failed", e));
    long tick = settings.tick().toMillis();
    ticker.every(tick, tick, rollouts::tick);
  }

  RolloutControl rollouts() {
    return rollouts;
  }

  /** Opens a node's Watch on this term's control; the stream ends when the term does. */
  void watch(String cluster, String host, ServerCallStreamObserver<NodeWork> stream) {
    Watch w = new Watch(stream);
    watches.add(w);
    Runnable unwatch;
    try {
      // Sends run under the control's lock, one at a time, as a stream observer requires.
      unwatch = rollouts.watch(cluster, host, w::send);
    } catch (RuntimeException e) {
      watches.remove(w);
      throw e;
    }
    stream.setOnCancelHandler(() -> {
      watches.remove(w);
      unwatch.run();
    });
    if (closed) {
      w.end(endStatus.get());
    }
  }

  @Override
  public void close() {
    closed = true;
    ticker.close();
    Status status = endStatus.get();
    watches.forEach(w -> w.end(status));
    watches.clear();
  }

  /** One Watch stream: sends and the end are serialized on it, and nothing follows the end. */
  private static final class Watch {
    private final ServerCallStreamObserver<NodeWork> stream;
    private boolean ended;

    Watch(ServerCallStreamObserver<NodeWork> stream) {
      this.stream = stream;
    }

    synchronized void send(NodeWork work) {
      if (!ended && !stream.isCancelled()) {
        stream.onNext(work);
      }
    }

    synchronized void end(Status status) {
      if (!ended) {
        ended = true;
        if (!stream.isCancelled()) {
          stream.onError(status.asRuntimeException());
        }
      }
    }
  }
}
