package io.feitian.taskworker.master;

import static org.assertj.core.api.Assertions.assertThat;

import io.feitian.common.grpc.CallSettings;
import io.feitian.common.retry.Backoff;
import io.feitian.common.security.SecuritySettings;
import io.feitian.proto.fuxi.v1.Grant;
import io.feitian.proto.fuxi.v1.NodeDirective;
import io.feitian.proto.fuxi.v1.NodeHeartbeat;
import io.feitian.proto.fuxi.v1.NodeServiceGrpc;
import io.feitian.proto.fuxi.v1.RegisterNodeRequest;
import io.feitian.proto.fuxi.v1.RegisterNodeResponse;
import io.feitian.proto.fuxi.v1.WorkerInfo;
import io.grpc.Grpc;
import io.grpc.InsecureServerCredentials;
import io.grpc.Server;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The link against a real gRPC server standing in for the fuxi-master leader. */
class MasterLinkTest {
  private final CountDownLatch heartbeats = new CountDownLatch(3);
  private Server leader;
  private MasterLink link;

  /** A leader that refuses grant 7 at registration and counts the heartbeats it hears. */
  private final NodeServiceGrpc.NodeServiceImplBase leaderService = new NodeServiceGrpc.NodeServiceImplBase() {
    @Override
    public void register(RegisterNodeRequest req, StreamObserver<RegisterNodeResponse> out) {
      out.onNext(RegisterNodeResponse.newBuilder().setEpoch(1).setHeartbeatIntervalMs(50).setNodeTimeoutMs(3_000)
          .addRevokedGrantIds(7).build());
      out.onCompleted();
    }

    @Override
    public StreamObserver<NodeHeartbeat> heartbeat(StreamObserver<NodeDirective> out) {
      return new StreamObserver<>() {
        @Override
        public void onNext(NodeHeartbeat hb) {
          heartbeats.countDown();
        }

        @Override
        public void onError(Throwable t) {}

        @Override
        public void onCompleted() {
          out.onCompleted();
        }
      };
    }
  };

  @AfterEach
  void stop() {
    if (link != null) {
      link.close();
    }
    if (leader != null) {
      leader.shutdownNow();
    }
  }

  /**
   * Killing the workers of refused grants took seconds per worker on a loaded machine; a node that
   * did that before its first heartbeat was declared lost again right after registering.
   */
  @Test
  void heartbeatsFlowWhileTheGrantsRefusedAtRegistrationAreStillBeingRevoked() throws Exception {
    leader = Grpc.newServerBuilderForPort(0, InsecureServerCredentials.create()).addService(leaderService).build()
        .start();
    CountDownLatch revoking = new CountDownLatch(1);
    CountDownLatch revocationMayEnd = new CountDownLatch(1);
    MasterLink.NodeView node = new MasterLink.NodeView() {
      @Override
      public RegisterNodeRequest registration() {
        return RegisterNodeRequest.newBuilder().setNodeId("tw-1").setAddress("127.0.0.1:1").build();
      }

      @Override
      public List<WorkerInfo> workers() {
        return List.of();
      }

      @Override
      public void granted(List<Grant> grants) {}

      @Override
      public void revoked(List<Long> grantIds, String reason) {
        revoking.countDown();
        try {
          revocationMayEnd.await(); // a kill that takes as long as the test wants
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }

      @Override
      public boolean observeEpoch(long epoch) {
        return true;
      }
    };
    link = new MasterLink(() -> Optional.of("127.0.0.1:" + leader.getPort()), SecuritySettings.INSECURE,
        new CallSettings(Optional.empty(), Duration.ofSeconds(10)), node,
        new Backoff(Duration.ofMillis(50), Duration.ofMillis(200)));
    try {
      link.start();

      assertThat(revoking.await(10, TimeUnit.SECONDS)).as("the refused grant is being revoked").isTrue();
      assertThat(heartbeats.await(10, TimeUnit.SECONDS)).as("heartbeats while the revocation is still running")
          .isTrue();
    } finally {
      revocationMayEnd.countDown();
    }
  }
}
