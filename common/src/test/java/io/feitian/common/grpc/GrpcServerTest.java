package io.feitian.common.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.feitian.common.security.SecuritySettings;
import io.feitian.proto.fuxi.v1.AppInfo;
import io.feitian.proto.fuxi.v1.ClusterServiceGrpc;
import io.feitian.proto.fuxi.v1.GetAppRequest;
import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.reflection.v1.ServerReflectionRequest;
import io.grpc.reflection.v1.ServerReflectionResponse;
import io.grpc.reflection.v1.ServiceResponse;
import io.grpc.stub.StreamObserver;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What every Feitian server carries, seen from a plain gRPC client on loopback. */
class GrpcServerTest {
  private static final String CLUSTER = ClusterServiceGrpc.SERVICE_NAME;

  /** A service that echoes its whole input into errors, as a careless one would. */
  static final class Careless extends ClusterServiceGrpc.ClusterServiceImplBase {
    @Override
    public void getApp(GetAppRequest request, StreamObserver<AppInfo> response) {
      response.onError(Status.NOT_FOUND.withDescription("unknown application '" + request.getAppId() + "'")
          .asRuntimeException());
    }
  }

  GrpcServer server;
  ManagedChannel channel;

  @BeforeEach
  void start() {
    server = GrpcServer.netty("127.0.0.1", 0, SecuritySettings.INSECURE).service(new Careless())
        .initiallyNotServing().build().start();
    channel = NettyChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext().build();
  }

  @AfterEach
  void stop() {
    channel.shutdownNow();
    server.close();
  }

  private static final MethodDescriptor.Marshaller<byte[]> BYTES = new MethodDescriptor.Marshaller<>() {
    @Override
    public InputStream stream(byte[] value) {
      return new ByteArrayInputStream(value);
    }

    @Override
    public byte[] parse(InputStream stream) {
      try {
        return stream.readAllBytes();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  };

  /** Sends raw bytes as the one request of a call and returns the first response's bytes. */
  private byte[] raw(MethodDescriptor.MethodType type, String method, byte[] request) throws Exception {
    MethodDescriptor<byte[], byte[]> d = MethodDescriptor.<byte[], byte[]>newBuilder().setType(type)
        .setFullMethodName(method).setRequestMarshaller(BYTES).setResponseMarshaller(BYTES).build();
    CompletableFuture<byte[]> reply = new CompletableFuture<>();
    ClientCall<byte[], byte[]> call = channel.newCall(d, CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS));
    call.start(new ClientCall.Listener<>() {
      @Override
      public void onMessage(byte[] message) {
        reply.complete(message);
      }

      @Override
      public void onClose(Status status, Metadata trailers) {
        reply.completeExceptionally(status.asRuntimeException(trailers));
      }
    }, new Metadata());
    call.request(1);
    call.sendMessage(request);
    call.halfClose();
    return reply.get(10, TimeUnit.SECONDS);
  }

  private static Status statusOf(ThrowingCall call) {
    try {
      call.run();
    } catch (Exception e) {
      return Status.fromThrowable(e);
    }
    throw new AssertionError("the call succeeded");
  }

  private interface ThrowingCall {
    void run() throws Exception;
  }

  @Test
  void malformedRequestBytesAreInvalidArgumentNotUnknown() {
    // Field 1 (app_id) announces 5 bytes and carries 1.
    Status s = statusOf(() -> raw(MethodDescriptor.MethodType.UNARY, CLUSTER + "/GetApp", new byte[] {0x0A, 0x05, 'a'}));
    assertThat(s.getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(s.getDescription()).startsWith("malformed request to " + CLUSTER + "/GetApp");
    // A well-formed request on the same server still reaches the service.
    Status ok = statusOf(() -> raw(MethodDescriptor.MethodType.UNARY, CLUSTER + "/GetApp",
        GetAppRequest.newBuilder().setAppId("app-9").build().toByteArray()));
    assertThat(ok.getCode()).isEqualTo(Status.Code.NOT_FOUND);
    assertThat(ok.getDescription()).isEqualTo("unknown application 'app-9'");
  }

  @Test
  void aHugeEchoedValueStillLeavesTheStatusReadable() {
    String id = "x".repeat(16 * 1024);
    var stub = ClusterServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
    assertThatThrownBy(() -> stub.getApp(GetAppRequest.newBuilder().setAppId(id).build())).satisfies(e -> {
      Status s = Status.fromThrowable(e);
      assertThat(s.getCode()).isEqualTo(Status.Code.NOT_FOUND);
      assertThat(s.getDescription()).startsWith("unknown application 'xxx").hasSizeLessThanOrEqualTo(
          Echo.MAX_DESCRIPTION_CHARS + 1);
    });
  }

  @Test
  void reflectionAnswersV1AndV1Alpha() throws Exception {
    byte[] listServices = ServerReflectionRequest.newBuilder().setListServices("").build().toByteArray();
    for (String service : new String[] {"grpc.reflection.v1.ServerReflection", "grpc.reflection.v1alpha.ServerReflection"}) {
      // Both versions share the wire format.
      ServerReflectionResponse r = ServerReflectionResponse.parseFrom(
          raw(MethodDescriptor.MethodType.BIDI_STREAMING, service + "/ServerReflectionInfo", listServices));
      assertThat(r.getListServicesResponse().getServiceList()).as(service).extracting(ServiceResponse::getName)
          .contains(CLUSTER, "grpc.health.v1.Health");
    }
  }

  @Test
  void healthIsReportedPerServiceAndOverall() {
    var health = HealthGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
    assertThat(health.check(HealthCheckRequest.getDefaultInstance()).getStatus()).isEqualTo(ServingStatus.SERVING);
    HealthCheckRequest cluster = HealthCheckRequest.newBuilder().setService(CLUSTER).build();
    assertThat(health.check(cluster).getStatus()).isEqualTo(ServingStatus.NOT_SERVING);
    server.setServing(true);
    assertThat(health.check(cluster).getStatus()).isEqualTo(ServingStatus.SERVING);
    server.setServing(false);
    assertThat(health.check(cluster).getStatus()).isEqualTo(ServingStatus.NOT_SERVING);
    assertThat(health.check(HealthCheckRequest.getDefaultInstance()).getStatus()).isEqualTo(ServingStatus.SERVING);
  }
}
