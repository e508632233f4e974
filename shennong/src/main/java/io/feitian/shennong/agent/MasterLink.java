package io.feitian.shennong.agent;

import io.feitian.common.grpc.CallSettings;
import io.feitian.common.grpc.LeaderFollower;
import io.feitian.common.grpc.StatusText;
import io.feitian.common.retry.Backoff;
import io.feitian.common.security.SecuritySettings;
import io.feitian.proto.shennong.v1.AgentHello;
import io.feitian.proto.shennong.v1.AgentMessage;
import io.feitian.proto.shennong.v1.AgentStatus;
import io.feitian.proto.shennong.v1.MasterMessage;
import io.feitian.proto.shennong.v1.MasterServiceGrpc;
import io.feitian.proto.shennong.v1.SessionAccepted;
import io.feitian.proto.shennong.v1.SubscriptionCommand;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's session with the shennong-master leader: finds the leader (a standby's hint first,
 * then ZooKeeper), says hello, sends its status every interval, hands the master's commands to the
 * agent, and carries the agent's reports up. When the session ends it tells the agent (whose
 * subscriptions belonged to that session) and finds the leader again, with backoff. Messages from
 * a master whose epoch is older than one already seen are ignored: a deposed master that has not
 * noticed yet cannot steer the agent.
 */
final class MasterLink extends LeaderFollower {
  private static final Logger log = LoggerFactory.getLogger(MasterLink.class);

  /** The agent as the link sees it; each call may block briefly (it runs on the agent's loop). */
  interface AgentView {
    AgentHello hello(long epochSeen);

    AgentStatus status();

    void accepted(SessionAccepted accepted);

    void command(SubscriptionCommand command);

    /** The session ended: its subscriptions are void. */
    void ended();
  }

  private final CallSettings calls;
  private final AgentView agent;
  private final Object sendLock = new Object();
  private volatile long epochSeen;
  /** The open session's outbound stream, or null; guarded by sendLock. */
  private StreamObserver<AgentMessage> outbound;

  MasterLink(Supplier<Optional<String>> leaderFromZk, SecuritySettings security, CallSettings calls, AgentView agent,
      Backoff backoff) {
    super("shennong-master-link", "shennong-master", leaderFromZk, security, backoff);
    this.calls = calls;
    this.agent = agent;
  }

  /** Sends a message on the open session; dropped when there is none (the next master pushes afresh). */
  void send(AgentMessage message) {
    synchronized (sendLock) {
      if (outbound != null) {
        outbound.onNext(message);
      }
    }
  }

  /** One session, until its stream ends. */
  @Override
  protected void session(String target) throws InterruptedException {
    ManagedChannel ch = channel(target);
    CountDownLatch ended = new CountDownLatch(1);
    CountDownLatch accepted = new CountDownLatch(1);
    AtomicReference<Status> endStatus = new AtomicReference<>(Status.OK);
    AtomicReference<SessionAccepted> terms = new AtomicReference<>();
    StreamObserver<AgentMessage> out = calls.streaming(MasterServiceGrpc.newStub(ch)).agentSession(
        new StreamObserver<>() {
          @Override
          public void onNext(MasterMessage m) {
            if (m.getEpoch() < epochSeen) {
              log.warn("ignoring a message of epoch {} from {}: epoch {} was seen", m.getEpoch(), target, epochSeen);
              return;
            }
            epochSeen = m.getEpoch();
            if (m.hasAccepted()) {
              terms.set(m.getAccepted());
              agent.accepted(m.getAccepted());
              accepted.countDown();
            } else if (m.hasCommand()) {
              agent.command(m.getCommand());
            }
          }

          @Override
          public void onError(Throwable t) {
            endStatus.set(Status.fromThrowable(t));
            ended.countDown();
            accepted.countDown();
          }

          @Override
          public void onCompleted() {
            ended.countDown();
            accepted.countDown();
          }
        });
    try {
      // Built before taking the lock: the agent's loop may be waiting for it to send a report.
      AgentMessage hello = AgentMessage.newBuilder().setHello(agent.hello(epochSeen)).build();
      synchronized (sendLock) {
        outbound = out;
        out.onNext(hello);
      }
      accepted.await();
      if (terms.get() != null) {
        established(target);
        log.info("in session with shennong-master {} (epoch {})", target, epochSeen);
        long interval = Math.max(10, terms.get().getStatusIntervalMs());
        while (!ended.await(interval, TimeUnit.MILLISECONDS) && running()) {
          send(AgentMessage.newBuilder().setStatus(agent.status()).build());
        }
      }
    } finally {
      synchronized (sendLock) {
        outbound = null;
        if (ended.getCount() > 0) {
          out.onCompleted();
        }
      }
      agent.ended();
    }
    Status s = endStatus.get();
    boolean hinted = follow(target, s);
    if (running()) {
      log.info("session with shennong-master {} ended: {}", target, StatusText.brief(s));
      if (!hinted) {
        pause();
      }
    }
  }
}
