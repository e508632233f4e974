package io.feitian.shennong.master;

import io.feitian.common.lifecycle.EventLoop;
import io.feitian.proto.shennong.v1.AgentHello;
import io.feitian.proto.shennong.v1.AgentInfo;
import io.feitian.proto.shennong.v1.AgentMessage;
import io.feitian.proto.shennong.v1.MasterMessage;
import io.feitian.proto.shennong.v1.SessionAccepted;
import io.feitian.proto.shennong.v1.SubscribeRequest;
import io.feitian.proto.shennong.v1.SubscriptionCommand;
import io.feitian.proto.shennong.v1.SubscriptionUpdate;
import io.feitian.shennong.fanout.FanOut;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.time.Clock;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One term of leadership: the {@link FanOut} core and the streams it drives, on one thread (the
 * loop), so the core needs no lock. Two kinds of work are kept off the loop, which every agent's
 * messages pass through: reading a report's partials (on the transport's thread that received it,
 * {@link FanOut#read}), and writing to subscriber streams (on one sender thread: gRPC serializes
 * a message on the thread that sends it). Subscriber streams honour flow control: an update is
 * taken from the core only when the stream is ready and the previous one has left, and meanwhile
 * the core coalesces. Closing the term ends every stream with UNAVAILABLE: agents and subscribers
 * find the next leader.
 */
final class MasterTerm implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(MasterTerm.class);

  private record Session(long id, String nodeId, StreamObserver<MasterMessage> stream) {}

  private final long epoch;
  private final Clock clock;
  private final FanOut fanOut;
  private final EventLoop loop;
  /** Every write to a subscriber stream, in the order the loop hands them over. */
  private final ExecutorService sender;
  private final AtomicLong sessionIds = new AtomicLong();
  // Loop-owned:
  private final Map<String, Session> sessions = new HashMap<>();
  private final Map<String, ServerCallStreamObserver<SubscriptionUpdate>> subscribers = new HashMap<>();
  /**
   * Work done once per burst of messages rather than once per message: sending the subscriptions'
   * pending updates (an update then carries everything that came meanwhile) and recomputing when
   * the core next needs the loop. {@link #afterBurst} posts it behind the messages already queued.
   */
  private final Set<String> updatesToSend = new LinkedHashSet<>();
  /** Subscriptions whose last update is with the sender: the next one is taken when it has left. */
  private final Set<String> sending = new HashSet<>();
  private boolean wakeupStale;
  private boolean burstEndPosted;
  private boolean closed;

  /** @param presentAgents the agents the cluster's registry lists: expected to register */
  MasterTerm(long epoch, FanOut.Settings settings, Clock clock, List<String> presentAgents) {
    this.epoch = epoch;
    this.clock = clock;
    this.loop = new EventLoop("shennong-master-term-" + epoch, e -> log.error("a task of term {} failed", epoch, e));
    this.sender = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "shennong-master-term-" + epoch + "-sender");
      t.setDaemon(true);
      return t;
    });
    this.fanOut = new FanOut(settings, new Outbox(), new ConcurrentHashMap<>()); // read on the transport's threads
    execute(() -> fanOut.expect(presentAgents, clock.millis()));
  }

  long epoch() {
    return epoch;
  }

  private final class Outbox implements FanOut.Outbox {
    @Override
    public void toAgent(String nodeId, SubscriptionCommand command) {
      Session s = sessions.get(nodeId);
      if (s != null) {
        s.stream.onNext(MasterMessage.newBuilder().setEpoch(epoch).setCommand(command).build());
      }
    }

    @Override
    public void pending(String subscriptionId) {
      updatesToSend.add(subscriptionId);
      afterBurst();
    }

    @Override
    public void end(String subscriptionId, FanOut.Ending ending, String message) {
      ServerCallStreamObserver<SubscriptionUpdate> stream = subscribers.remove(subscriptionId);
      if (stream != null) {
        Status status = ending == FanOut.Ending.TOO_MANY_GROUPS ? Status.RESOURCE_EXHAUSTED
            : Status.FAILED_PRECONDITION;
        toSubscriber(stream, s -> s.onError(status.withDescription(message).asRuntimeException()));
      }
    }

    @Override
    public void loseSession(String nodeId, long sessionId, String reason) {
      Session s = sessions.get(nodeId);
      if (s != null && s.id == sessionId) {
        sessions.remove(nodeId);
        log.warn("agent {} lost: {}", nodeId, reason);
        s.stream.onError(Status.UNAVAILABLE.withDescription("agent lost: " + reason).asRuntimeException());
      }
    }
  }

  /** Starts a subscription stream; a bad request ends it with INVALID_ARGUMENT before anything is held. */
  void subscribe(SubscribeRequest request, ServerCallStreamObserver<SubscriptionUpdate> stream) {
    String id = UUID.randomUUID().toString();
    stream.setOnCancelHandler(() -> execute(() -> {
      subscribers.remove(id);
      fanOut.unsubscribe(id);
    }));
    stream.setOnReadyHandler(() -> execute(() -> send(id)));
    execute(() -> {
      try {
        subscribers.put(id, stream);
        fanOut.subscribe(id, request, clock.millis());
      } catch (IllegalArgumentException e) {
        subscribers.remove(id);
        toSubscriber(stream, s -> s.onError(Status.INVALID_ARGUMENT.withDescription(e.getMessage()).asRuntimeException()));
      } catch (FanOut.TooManySubscriptions e) {
        subscribers.remove(id);
        toSubscriber(stream, s -> s.onError(Status.RESOURCE_EXHAUSTED.withDescription(e.getMessage()).asRuntimeException()));
      }
      wakeupMayMove();
    });
  }

  /**
   * Hands the subscription's pending update to the sender if its stream can take it now and the
   * previous update has left; when that one has, this is asked again. Loop only.
   */
  private void send(String id) {
    ServerCallStreamObserver<SubscriptionUpdate> stream = subscribers.get(id);
    if (stream == null || sending.contains(id)) {
      return;
    }
    synchronized (stream) { // a stream is not thread-safe: every call on it holds its lock (grpc-java #2313)
      if (!stream.isReady() || stream.isCancelled()) {
        return;
      }
    }
    SubscriptionUpdate update = fanOut.drain(id);
    if (update != null) {
      sending.add(id);
      toSubscriber(stream, s -> {
        try {
          s.onNext(update);
        } finally {
          execute(() -> {
            sending.remove(id);
            send(id);
          });
        }
      });
    }
  }

  /** Writes to a subscriber stream on the sender thread, after what was handed to it before. */
  private void toSubscriber(ServerCallStreamObserver<SubscriptionUpdate> stream,
      Consumer<ServerCallStreamObserver<SubscriptionUpdate>> write) {
    try {
      sender.execute(() -> {
        try {
          synchronized (stream) {
            write.accept(stream);
          }
        } catch (RuntimeException e) {
          log.debug("a write to a subscriber stream failed (it ended meanwhile)", e);
        }
      });
    } catch (RejectedExecutionException stopping) {
      // the term is over: its streams were ended with it
    }
  }

  /** An agent's session stream: the returned observer takes the agent's messages. */
  StreamObserver<AgentMessage> agentSession(StreamObserver<MasterMessage> stream) {
    long sessionId = sessionIds.incrementAndGet();
    String[] nodeId = new String[1]; // set by the hello, read on the loop
    return new StreamObserver<>() {
      @Override
      public void onNext(AgentMessage m) {
        FanOut.Received report = m.hasReport() ? fanOut.read(m.getReport()) : null; // here, not on the loop
        execute(() -> {
          if (nodeId[0] == null) {
            hello(sessionId, m, stream).ifPresent(n -> nodeId[0] = n);
            return;
          }
          long now = clock.millis();
          switch (m.getKindCase()) {
            case STATUS -> fanOut.status(sessionId, nodeId[0], m.getStatus(), now);
            case REPORT -> {
              if (!fanOut.report(sessionId, nodeId[0], report, now)) {
                return; // the core's next deadline came no sooner: not asked again (it walks every subscription)
              }
            }
            case REFUSED -> fanOut.refused(sessionId, nodeId[0], m.getRefused().getSubscriptionId(),
                m.getRefused().getReason(), now);
            default -> {
              return; // a second hello, or a kind this master does not know: ignored
            }
          }
          wakeupMayMove();
        });
      }

      @Override
      public void onError(Throwable t) {
        ended();
      }

      @Override
      public void onCompleted() {
        ended();
      }

      private void ended() {
        execute(() -> {
          if (nodeId[0] != null) {
            Session s = sessions.get(nodeId[0]);
            if (s != null && s.id == sessionId) {
              sessions.remove(nodeId[0]);
              try {
                stream.onCompleted();
              } catch (RuntimeException ignored) {
                // the call is already closed
              }
            }
            fanOut.sessionEnded(sessionId, nodeId[0], clock.millis());
          }
        });
      }
    };
  }

  /** Takes an agent's first message; returns its node id when the session is open. Loop only. */
  private Optional<String> hello(long sessionId, AgentMessage m, StreamObserver<MasterMessage> stream) {
    if (!m.hasHello()) {
      stream.onError(Status.INVALID_ARGUMENT.withDescription("the first message of a session must be a hello")
          .asRuntimeException());
      return Optional.empty();
    }
    AgentHello hello = m.getHello();
    if (hello.getEpochSeen() > epoch) {
      stream.onError(Status.FAILED_PRECONDITION.withDescription("this master's epoch " + epoch
          + " is older than the agent's " + hello.getEpochSeen() + ": find the current leader").asRuntimeException());
      return Optional.empty();
    }
    try {
      FanOut.check(hello);
    } catch (IllegalArgumentException e) {
      stream.onError(Status.INVALID_ARGUMENT.withDescription(e.getMessage()).asRuntimeException());
      return Optional.empty();
    }
    Session previous = sessions.put(hello.getNodeId(), new Session(sessionId, hello.getNodeId(), stream));
    if (previous != null) {
      previous.stream.onError(Status.ABORTED.withDescription("replaced by a newer session of node "
          + hello.getNodeId()).asRuntimeException());
    }
    FanOut.Settings s = fanOut.settings();
    stream.onNext(MasterMessage.newBuilder().setEpoch(epoch).setAccepted(SessionAccepted.newBuilder()
        .setStatusIntervalMs(s.statusIntervalMs()).setReportGraceMs(s.reportGraceMs())).build());
    log.info("agent {} ({}) in session {}", hello.getNodeId(), hello.getAddress(), sessionId);
    fanOut.hello(sessionId, hello, clock.millis()); // pushes the node's subscriptions on this session
    wakeupMayMove();
    return Optional.of(hello.getNodeId());
  }

  CompletableFuture<Map<String, Double>> figures() {
    return loop.call(fanOut::figures);
  }

  CompletableFuture<List<AgentInfo>> agents(boolean includeLost) {
    return loop.call(() -> fanOut.agents(includeLost, clock.millis()));
  }

  /** The core's next deadline may have changed: recomputed once the burst of messages is taken. Loop only. */
  private void wakeupMayMove() {
    wakeupStale = true;
    afterBurst();
  }

  /** Posts the end-of-burst work once, behind what the loop already has queued. Loop only. */
  private void afterBurst() {
    if (!burstEndPosted) {
      burstEndPosted = true;
      execute(this::endBurst);
    }
  }

  private void endBurst() {
    burstEndPosted = false;
    updatesToSend.forEach(this::send);
    updatesToSend.clear();
    if (wakeupStale) {
      wakeupStale = false;
      rescheduleWakeup();
    }
  }

  /** Wakes the loop when the core next has something to do (a window's grace, a silent agent). Loop only. */
  private void rescheduleWakeup() {
    loop.wakeAt(fanOut.nextDeadlineMs(), clock.millis(), () -> {
      fanOut.tick(clock.millis());
      rescheduleWakeup();
    });
  }

  /** Runs work on the loop while the term lasts; once it is over its streams were ended with it. */
  private void execute(Runnable work) {
    loop.post(() -> {
      if (!closed) {
        work.run();
      }
    });
  }

  /** Ends every stream with UNAVAILABLE: this master no longer leads. */
  @Override
  public void close() {
    CompletableFuture<Void> done = new CompletableFuture<>();
    execute(() -> {
      closed = true;
      Status gone = Status.UNAVAILABLE.withDescription("the shennong-master of epoch " + epoch + " stepped down");
      sessions.values().forEach(s -> s.stream.onError(gone.asRuntimeException()));
      subscribers.values().forEach(stream -> toSubscriber(stream, s -> s.onError(gone.asRuntimeException())));
      sessions.clear();
      subscribers.clear();
      sender.execute(() -> done.complete(null)); // once the sender has ended them too
    });
    try {
      done.get(5, TimeUnit.SECONDS);
    } catch (Exception e) {
      log.warn("term {} did not close its streams in time", epoch);
    }
    loop.close();
    sender.shutdownNow();
  }
}
