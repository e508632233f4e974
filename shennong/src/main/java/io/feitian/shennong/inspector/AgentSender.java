package io.feitian.shennong.inspector;

import io.feitian.proto.shennong.v1.AgentServiceGrpc;
import io.feitian.proto.shennong.v1.Refusal;
import io.feitian.proto.shennong.v1.Sample;
import io.feitian.proto.shennong.v1.WriteRequest;
import io.feitian.proto.shennong.v1.WriteResponse;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends each reading's samples to the node's agent in one {@code AgentService.Write}, from the
 * sampling thread. A reading the agent does not take is dropped, not kept: every figure is a level
 * or a rate, and the next reading (a second later) brings fresh ones, which is why a restarted
 * agent simply starts receiving again. While it does not answer, one WARN says so and one INFO
 * says when it answers again; before each attempt in an outage the channel is told to connect
 * again at once (gRPC would otherwise wait up to two minutes between attempts). The agent's
 * refusals of single samples are logged at most once a minute.
 */
final class AgentSender {
  private static final Logger log = LoggerFactory.getLogger(AgentSender.class);
  static final String SOURCE = "shennong-inspector";
  private static final long REFUSAL_LOG_INTERVAL_NANOS = TimeUnit.MINUTES.toNanos(1);

  private final String agent;
  private final ManagedChannel channel;
  private final AgentServiceGrpc.AgentServiceBlockingStub stub;
  private final Duration deadline;
  /** Readings dropped since the agent stopped answering, or -1 while it answers. */
  private long droppedInOutage = -1;
  private volatile boolean answering = true;
  private long nextRefusalLogNanos = System.nanoTime();

  AgentSender(String agent, ManagedChannel channel, Duration deadline) {
    this.agent = agent;
    this.channel = channel;
    this.stub = AgentServiceGrpc.newBlockingStub(channel);
    this.deadline = deadline;
  }

  void send(List<Sample> samples) {
    if (droppedInOutage >= 0) {
      channel.resetConnectBackoff();
    }
    WriteResponse response;
    try {
      response = stub.withDeadlineAfter(deadline.toMillis(), TimeUnit.MILLISECONDS)
          .write(WriteRequest.newBuilder().setSource(SOURCE).addAllSamples(samples).build());
    } catch (StatusRuntimeException e) {
      if (droppedInOutage < 0) {
        log.warn("shennong-agent {} does not take the inspector's samples ({}); dropping them until it does",
            agent, e.getStatus().getCode() + (e.getStatus().getDescription() == null ? ""
                : ": " + e.getStatus().getDescription()));
        droppedInOutage = 0;
        answering = false;
      }
      droppedInOutage++;
      return;
    }
    if (droppedInOutage >= 0) {
      log.info("shennong-agent {} takes the inspector's samples again ({} readings dropped meanwhile)", agent,
          droppedInOutage);
      droppedInOutage = -1;
      answering = true;
    }
    logRefusals(response);
  }

  private void logRefusals(WriteResponse response) {
    if (response.getRefusalsCount() == 0 || System.nanoTime() - nextRefusalLogNanos < 0) {
      return;
    }
    nextRefusalLogNanos = System.nanoTime() + REFUSAL_LOG_INTERVAL_NANOS;
    Refusal first = response.getRefusals(0);
    log.warn("shennong-agent {} refused {} of the inspector's samples ({}: {}); logged at most once a minute",
        agent, response.getRefusalsList().stream().mapToInt(Refusal::getSamples).sum(), first.getReason(),
        first.getFirst());
  }

  /** Whether the agent took the last reading sent (any thread). */
  boolean answering() {
    return answering;
  }
}
