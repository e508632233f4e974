package io.feitian.taskworker.data;

import static io.feitian.taskworker.data.PipelineFixture.randomBytes;
import static io.feitian.taskworker.data.PipelineFixture.request;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.feitian.common.grpc.GrpcServer;
import io.feitian.common.pipeline.AttemptId;
import io.feitian.common.pipeline.PendingAttempt;
import io.feitian.common.security.SecuritySettings;
import io.feitian.proto.job.v1.DataChunk;
import io.feitian.proto.job.v1.FetchRequest;
import io.feitian.proto.job.v1.PipelineDataGrpc;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Fetch: whole files, resumed files, missing and bad names, and flow control with a slow reader. */
class PipelineDataServiceTest {
  static final AttemptId MAP_3 = new AttemptId("app-12", "map", 3, 1);
  static final int CHUNK = ChunkSender.CHUNK_BYTES;

  @TempDir
  Path workDir;

  PipelineFixture node;

  @BeforeEach
  void start() throws Exception {
    node = new PipelineFixture(workDir, Clock.systemUTC());
  }

  @AfterEach
  void stop() throws Exception {
    node.close();
  }

  @Test
  void aMultiMegabyteFileArrivesIntactOverTcp() throws Exception {
    byte[] file = randomBytes(5 * 1024 * 1024 + 17);
    node.commit(MAP_3, "reduce", 7, file);
    GrpcServer tcp = GrpcServer.netty("127.0.0.1", 0, SecuritySettings.INSECURE).service(node.service).build().start();
    ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", tcp.port()).usePlaintext().build();
    try {
      List<DataChunk> chunks = new ArrayList<>();
      PipelineDataGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS)
          .fetch(request(MAP_3, "reduce", 7).build()).forEachRemaining(chunks::add);

      assertThat(checkedBytes(chunks, 0, file.length)).isEqualTo(file);
      assertThat(chunks).hasSize(file.length / CHUNK + 1);
    } finally {
      channel.shutdownNow();
      tcp.close();
    }
  }

  @Test
  void aFetchStartsAtTheRequestedOffset() throws Exception {
    byte[] file = randomBytes(300_000);
    node.commit(MAP_3, "reduce", 0, file);

    List<DataChunk> chunks = fetch(request(MAP_3, "reduce", 0).setOffset(100_001).build());

    assertThat(checkedBytes(chunks, 100_001, file.length)).isEqualTo(Arrays.copyOfRange(file, 100_001, file.length));
  }

  @Test
  void aFetchAtTheEndGetsOneEmptyChunkWithTheLength() throws Exception {
    node.commit(MAP_3, "reduce", 0, randomBytes(1000));
    node.commit(new AttemptId("app-12", "map", 4, 0), "reduce", 0, new byte[0]);

    assertThat(fetch(request(MAP_3, "reduce", 0).setOffset(1000).build())).singleElement()
        .satisfies(c -> assertThat(c.getTotalLength()).isEqualTo(1000))
        .satisfies(c -> assertThat(c.getData().isEmpty()).isTrue());
    assertThat(fetch(request(new AttemptId("app-12", "map", 4, 0), "reduce", 0).build())).singleElement()
        .satisfies(c -> assertThat(c.getData().isEmpty()).isTrue());
  }

  @Test
  void anOffsetPastTheEndIsOutOfRange() throws Exception {
    node.commit(MAP_3, "reduce", 0, randomBytes(1000));

    assertStatus(request(MAP_3, "reduce", 0).setOffset(1001).build(), Status.Code.OUT_OF_RANGE,
        "offset 1001 is past the end of the output of app-12/map/3-1 to reduce partition 0 (1000 bytes)");
    assertThat(node.service.counters.openFiles.get()).isZero();
  }

  @Test
  void onlyCommittedFilesAreFound() throws Exception {
    node.commit(MAP_3, "reduce", 0, randomBytes(10));
    AttemptId pending = new AttemptId("app-12", "map", 5, 0);
    try (PendingAttempt writing = node.layout.begin(pending)) {
      Files.write(writing.file("reduce", 0), randomBytes(10));

      assertStatus(request(pending, "reduce", 0).build(), Status.Code.NOT_FOUND,
          "no committed output of app-12/map/5-0 to reduce partition 0 on this node");
    }
    assertStatus(request(MAP_3, "reduce", 1).build(), Status.Code.NOT_FOUND, "partition 1");
    assertStatus(request(MAP_3, "join", 0).build(), Status.Code.NOT_FOUND, "to join");
  }

  static Stream<Arguments> badRequests() {
    FetchRequest good = request(MAP_3, "reduce", 0).build();
    return Stream.of(
        Arguments.of(good.toBuilder().setAppId("../app-12").build(), "app_id must match"),
        Arguments.of(good.toBuilder().setAppId("").build(), "app_id must match"),
        Arguments.of(good.toBuilder().setTask("..").build(), "task must match"),
        Arguments.of(good.toBuilder().setTask("map/3-1").build(), "task must match"),
        Arguments.of(good.toBuilder().setToTask("../../..").build(), "to_task must match"),
        Arguments.of(good.toBuilder().setInstance(-1).build(), "instance must be >= 0, got -1"),
        Arguments.of(good.toBuilder().setAttempt(-2).build(), "attempt must be >= 0, got -2"),
        Arguments.of(good.toBuilder().setPartition(-3).build(), "partition must be >= 0, got -3"),
        Arguments.of(good.toBuilder().setOffset(-4).build(), "offset must be >= 0, got -4"));
  }

  @ParameterizedTest
  @MethodSource("badRequests")
  void badNamesAndNumbersAreInvalidArgumentsNamingTheField(FetchRequest request, String message) throws Exception {
    node.commit(MAP_3, "reduce", 0, randomBytes(10));

    assertStatus(request, Status.Code.INVALID_ARGUMENT, message);
  }

  @Test
  void aSlowReaderGetsEverythingWhileTheServerReadsOnlyWhatWasAskedFor() throws Exception {
    byte[] file = randomBytes(40 * CHUNK + 5);
    node.commit(MAP_3, "reduce", 0, file);
    SlowReader reader = new SlowReader();
    PipelineDataGrpc.newStub(node.channel).fetch(request(MAP_3, "reduce", 0).build(), reader);

    List<DataChunk> chunks = new ArrayList<>();
    for (DataChunk c = reader.take(); c != null; c = reader.take()) {
      chunks.add(c);
      if (chunks.size() == 1 || chunks.size() == 20) {
        // However long the reader dawdles, the server reads at most a chunk ahead of what it asked for.
        await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2)).untilAsserted(() ->
            assertThat(node.service.counters.chunksRead.get()).isLessThanOrEqualTo(chunks.size() + 1));
      }
      assertThat(node.service.counters.chunksRead.get()).isLessThanOrEqualTo(chunks.size() + 1);
      reader.stream.request(1);
    }

    assertThat(checkedBytes(chunks, 0, file.length)).isEqualTo(file);
    await().atMost(Duration.ofSeconds(5)).until(() -> node.service.counters.openFiles.get() == 0);
  }

  @Test
  void aCancelledFetchStopsReadingAndClosesItsFile() throws Exception {
    node.commit(MAP_3, "reduce", 0, randomBytes(40 * CHUNK));
    SlowReader reader = new SlowReader();
    PipelineDataGrpc.newStub(node.channel).fetch(request(MAP_3, "reduce", 0).build(), reader);

    assertThat(reader.take()).isNotNull();
    assertThat(node.service.counters.openFiles.get()).isEqualTo(1);
    reader.stream.cancel("the reader has had enough", null);

    await().atMost(Duration.ofSeconds(5)).until(() -> node.service.counters.openFiles.get() == 0);
    assertThat(node.service.counters.chunksRead.get()).isLessThanOrEqualTo(2);
  }

  /** A client with manual flow control: one chunk at first, then only what the test asks for. */
  static final class SlowReader implements ClientResponseObserver<FetchRequest, DataChunk> {
    private static final DataChunk END = DataChunk.getDefaultInstance();
    final BlockingQueue<DataChunk> chunks = new LinkedBlockingQueue<>();
    final CompletableFuture<Void> done = new CompletableFuture<>();
    ClientCallStreamObserver<FetchRequest> stream;

    @Override
    public void beforeStart(ClientCallStreamObserver<FetchRequest> stream) {
      this.stream = stream;
      stream.disableAutoRequestWithInitial(1);
    }

    @Override
    public void onNext(DataChunk chunk) {
      chunks.add(chunk);
    }

    @Override
    public void onError(Throwable t) {
      done.completeExceptionally(t);
      chunks.add(END);
    }

    @Override
    public void onCompleted() {
      done.complete(null);
      chunks.add(END);
    }

    /** The next chunk, or null once the stream has ended well. */
    DataChunk take() throws Exception {
      DataChunk c = chunks.poll(10, TimeUnit.SECONDS);
      assertThat(c).as("a chunk within 10 s").isNotNull();
      if (c == END) {
        done.get();
        return null;
      }
      return c;
    }
  }

  List<DataChunk> fetch(FetchRequest request) {
    List<DataChunk> chunks = new ArrayList<>();
    node.blocking().fetch(request).forEachRemaining(chunks::add);
    return chunks;
  }

  void assertStatus(FetchRequest request, Status.Code code, String message) {
    assertThatThrownBy(() -> fetch(request)).satisfies(e -> {
      assertThat(Status.fromThrowable(e).getCode()).isEqualTo(code);
      assertThat(Status.fromThrowable(e).getDescription()).contains(message);
    });
  }

  /** The bytes of the chunks, checking offsets, sizes, CRC32Cs and the total length on the first. */
  static byte[] checkedBytes(List<DataChunk> chunks, long offset, long total) {
    assertThat(chunks).isNotEmpty();
    assertThat(chunks.get(0).getTotalLength()).isEqualTo(total);
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    long at = offset;
    for (DataChunk c : chunks) {
      assertThat(c.getOffset()).isEqualTo(at);
      assertThat(c.getData().size()).isLessThanOrEqualTo(CHUNK);
      CRC32C crc = new CRC32C();
      crc.update(c.getData().toByteArray());
      assertThat(c.getCrc32C()).isEqualTo((int) crc.getValue());
      bytes.writeBytes(c.getData().toByteArray());
      at += c.getData().size();
    }
    assertThat(at).isEqualTo(total);
    return bytes.toByteArray();
  }
}
