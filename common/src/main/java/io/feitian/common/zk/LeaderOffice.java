package io.feitian.common.zk;

import io.feitian.common.grpc.GrpcServer;
import io.grpc.Status;
import java.util.Optional;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The term an elected daemon holds while it leads (a shennong-master's, a monitor-service's): taken
 * when the {@link LeaderElection} elects it, closed when it is deposed, and asked for by every
 * call, which a standby refuses with UNAVAILABLE naming the leader ({@link LeaderHint}). The gRPC
 * server's services report SERVING exactly while a term is held. Taking and leaving are
 * serialized; {@link #require} never waits.
 *
 * @param <T> the term: what the daemon does while it leads, closed when it stops
 */
public final class LeaderOffice<T extends AutoCloseable> {
  private static final Logger log = LoggerFactory.getLogger(LeaderOffice.class);
  private final GrpcServer server;
  private final Supplier<Status> refusal;
  private volatile T term;
  /** What the term held is, for the log: "ADDRESS with epoch N". */
  private String held;

  /** @param refusal a standby's answer, naming who leads as the election sees it ({@link LeaderElection#refusal}) */
  public LeaderOffice(GrpcServer server, Supplier<Status> refusal) {
    this.server = server;
    this.refusal = refusal;
  }

  /**
   * Closes the term held, if any, then holds the one {@code begin} makes (nothing when it returns
   * null: the daemon could not begin one) and serves. Logs "leading as {@code description}".
   */
  public synchronized void take(String description, Supplier<T> begin) {
    leave();
    T next = begin.get();
    if (next != null) {
      term = next;
      held = description;
      server.setServing(true);
      log.info("leading as {}", description);
    }
  }

  /** Stops serving and closes the term held, if any. */
  public synchronized void leave() {
    T t = term;
    term = null;
    if (t != null) {
      server.setServing(false);
      log.info("leaving the term held as {}", held);
      try {
        t.close();
      } catch (Exception e) {
        log.warn("closing the term failed; it is left behind", e);
      }
    }
  }

  /** The term held, or UNAVAILABLE naming the leader. */
  public T require() {
    T t = term;
    if (t == null) {
      throw refusal.get().asRuntimeException();
    }
    return t;
  }

  /** The term held, if any. */
  public Optional<T> current() {
    return Optional.ofNullable(term);
  }
}
