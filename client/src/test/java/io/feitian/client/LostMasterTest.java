package io.feitian.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Status;
import java.nio.channels.ClosedChannelException;
import org.junit.jupiter.api.Test;

class LostMasterTest {
  @Test
  void aMasterGoneMidCallIsToldFromARefusal() {
    assertThat(FeitianClient.lostTheMaster(Status.UNAVAILABLE)).isTrue();
    assertThat(FeitianClient.lostTheMaster(Status.UNKNOWN.withDescription("channel closed"))).isTrue();
    assertThat(FeitianClient.lostTheMaster(Status.UNKNOWN.withCause(new ClosedChannelException()))).isTrue();
    assertThat(FeitianClient.lostTheMaster(Status.UNKNOWN.withDescription("boom"))).isFalse();
    assertThat(FeitianClient.lostTheMaster(Status.INVALID_ARGUMENT)).isFalse();
  }
}
