package io.feitian.shennong.analysis.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.feitian.common.grpc.GrpcServer;
import io.feitian.common.security.SecuritySettings;
import io.feitian.proto.shennong.v1.AnalysisServiceGrpc;
import io.feitian.proto.shennong.v1.FetchSnapshotRequest;
import io.feitian.proto.shennong.v1.SnapshotChunk;
import io.feitian.shennong.analysis.service.SnapshotEncoder.Encoded;
import io.feitian.shennong.analysis.service.SnapshotFetcher.Outcome;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.io.ByteArrayOutputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * FetchSnapshot over real gRPC on loopback: the leader's sending ({@link SnapshotSender}) behind a
 * server whose newest snapshot the test sets, the standby's {@link SnapshotFetcher} and a client
 * that takes one chunk and then holds back in front. The client's flow-control window is 64 KiB
 * and chunks are 16 KiB, so a sender that waits for readiness has a handful of chunks out at most.
 */
class SnapshotTransferTest {
  private static final int CHUNK = 16 * 1024;
  private static final Duration WAIT = Duration.ofSeconds(20);

  @TempDir
  Path dir;
  private final long seed = System.nanoTime();
  private final Random random = new Random(seed);
  private volatile Encoded newest;
  /** The leader's side of each call, in order. */
  private final List<SnapshotSender> calls = new CopyOnWriteArrayList<>();
  private GrpcServer server;
  private ManagedChannel channel;

  @BeforeEach
  void start() {
    System.out.println("SnapshotTransferTest seed " + seed);
    server = GrpcServer.netty("127.0.0.1", 0, SecuritySettings.INSECURE)
        .service(new AnalysisServiceGrpc.AnalysisServiceImplBase() {
          @Override
          public void fetchSnapshot(FetchSnapshotRequest r, StreamObserver<SnapshotChunk> response) {
            calls.add(SnapshotSender.start((ServerCallStreamObserver<SnapshotChunk>) response, r.getHaveVersion(),
                CHUNK, CompletableFuture.completedFuture(newest)));
          }
        })
        .build().start();
    channel = NettyChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext()
        .flowControlWindow(64 * 1024).build();
  }

  @AfterEach
  void stop() {
    channel.shutdownNow();
    server.close();
  }

  private byte[] bytes(int n) {
    byte[] b = new byte[n];
    random.nextBytes(b);
    return b;
  }

  private AnalysisServiceGrpc.AnalysisServiceBlockingStub leader() {
    return AnalysisServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
  }

  @Test
  void chunksAreMadeOnlyAsTheClientIsReadyForThem() throws Exception {
    byte[] snapshot = bytes(256 * CHUNK);
    newest = new Encoded("7.1", snapshot);
    BlockingQueue<SnapshotChunk> got = new LinkedBlockingQueue<>();
    CompletableFuture<Void> done = new CompletableFuture<>();
    AtomicReference<ClientCallStreamObserver<FetchSnapshotRequest>> call = new AtomicReference<>();
    AnalysisServiceGrpc.newStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS)
        .fetchSnapshot(FetchSnapshotRequest.getDefaultInstance(),
            new ClientResponseObserver<FetchSnapshotRequest, SnapshotChunk>() {
              @Override
              public void beforeStart(ClientCallStreamObserver<FetchSnapshotRequest> requests) {
                requests.disableAutoRequestWithInitial(1);
                call.set(requests);
              }

              @Override
              public void onNext(SnapshotChunk chunk) {
                got.add(chunk);
              }

              @Override
              public void onError(Throwable t) {
                done.completeExceptionally(t);
              }

              @Override
              public void onCompleted() {
                done.complete(null);
              }
            });
    await().atMost(WAIT).until(() -> got.size() == 1);
    // Held back, the leader stays at what the window and gRPC's small send buffer hold (a sender
    // ignoring readiness has made all 256 by now).
    await().during(Duration.ofMillis(700)).atMost(Duration.ofSeconds(5))
        .until(() -> calls.get(0).chunksSent() <= 12);

    call.get().request(Integer.MAX_VALUE);
    done.get(WAIT.toSeconds(), TimeUnit.SECONDS);
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    got.forEach(c -> all.writeBytes(c.getData().toByteArray()));
    assertThat(all.toByteArray()).isEqualTo(snapshot);
    assertThat(got.peek().getVersion()).isEqualTo("7.1");
    assertThat(calls.get(0).chunksSent()).isEqualTo(256);
  }

  @Test
  void aStandbyHoldingTheNewestIsSentNothingAndAnElectedOneWritesNothing() throws Exception {
    SnapshotFile file = new SnapshotFile(dir.resolve("standby"));
    SnapshotFetcher fetcher = new SnapshotFetcher(file);
    byte[] first = bytes(100 * 1024);
    newest = new Encoded("3.1", first);
    assertThat(fetcher.fetch(leader(), () -> true)).isEqualTo(Outcome.WRITTEN);
    assertThat(file.read().orElseThrow()).isEqualTo(first);
    assertThat(calls.get(0).chunksSent()).isEqualTo(7);

    assertThat(fetcher.fetch(leader(), () -> true)).isEqualTo(Outcome.UNCHANGED);
    assertThat(calls.get(1).chunksSent()).as("an unchanged snapshot is not sent again").isZero();
    assertThat(file.read().orElseThrow()).isEqualTo(first);

    byte[] second = bytes(40 * 1024);
    newest = new Encoded("3.2", second);
    assertThat(fetcher.fetch(leader(), () -> true)).isEqualTo(Outcome.WRITTEN);
    assertThat(file.read().orElseThrow()).isEqualTo(second);

    newest = new Encoded("3.3", bytes(1000));
    assertThat(fetcher.fetch(leader(), () -> false)).isEqualTo(Outcome.NOT_STANDING_BY);
    assertThat(file.read().orElseThrow()).as("an elected service's own snapshot is left alone").isEqualTo(second);
    assertThat(fetcher.have()).isEqualTo("3.2");
  }
}
