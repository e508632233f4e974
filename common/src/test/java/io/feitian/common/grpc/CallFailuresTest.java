package io.feitian.common.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Status;
import java.nio.channels.ClosedChannelException;
import org.junit.jupiter.api.Test;

class CallFailuresTest {
  @Test
  void aServerGoneMidCallIsToldFromARefusal() {
    assertThat(CallFailures.lostTheServer(Status.UNAVAILABLE)).isTrue();
    assertThat(CallFailures.lostTheServer(Status.UNKNOWN.withDescription("channel closed"))).isTrue();
    assertThat(CallFailures.lostTheServer(Status.UNKNOWN.withCause(new ClosedChannelException()))).isTrue();
    assertThat(CallFailures.lostTheServer(Status.UNKNOWN.withDescription("boom"))).isFalse();
    assertThat(CallFailures.lostTheServer(Status.INVALID_ARGUMENT)).isFalse();
    assertThat(CallFailures.lostTheServer(Status.DEADLINE_EXCEEDED)).as("the caller decides about its own deadline")
        .isFalse();
  }
}
