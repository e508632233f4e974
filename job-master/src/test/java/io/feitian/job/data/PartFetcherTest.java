package io.feitian.job.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import io.feitian.common.grpc.CallSettings;
import io.feitian.proto.job.v1.DataChunk;
import io.feitian.proto.job.v1.FetchRequest;
import io.feitian.proto.job.v1.OutputPart;
import io.feitian.proto.job.v1.PipelineDataGrpc;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;
import java.util.function.UnaryOperator;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The reader against a scripted PipelineData server: honest, corrupting, breaking and stalling. */
class PartFetcherTest {
  static final int CHUNK = 10_000;
  static final byte[] FILE = new byte[123_457];

  static {
    new Random(7).nextBytes(FILE);
  }

  final ScriptedServer data = new ScriptedServer();
  String node;
  Server server;
  ManagedChannel channel;

  @BeforeEach
  void start() throws IOException {
    node = InProcessServerBuilder.generateName();
    server = InProcessServerBuilder.forName(node).addService(data).build().start();
    channel = InProcessChannelBuilder.forName(node).build();
  }

  @AfterEach
  void stop() {
    channel.shutdownNow();
    server.shutdownNow();
  }

  PartFetcher fetcher(Duration deadline) {
    return new PartFetcher(address -> {
      assertThat(address).isEqualTo(node);
      return channel;
    }, new CallSettings(Optional.empty(), deadline));
  }

  InputStream open(byte[] file) {
    return fetcher(Duration.ofSeconds(10)).open("app-5", part(file.length, crc32c(file)));
  }

  OutputPart part(long length, int crc32c) {
    return OutputPart.newBuilder().setNodeAddress(node).setTask("map").setInstance(1).setAttempt(0)
        .setToTask("reduce").setPartition(3).setLength(length).setCrc32C(crc32c).build();
  }

  @Test
  void aWholePartArrivesIntact() throws IOException {
    data.script = (request, call) -> honest(FILE, request.getOffset());

    try (InputStream in = open(FILE)) {
      assertThat(in.readAllBytes()).isEqualTo(FILE);
    }
    assertThat(data.requests).singleElement().satisfies(r -> {
      assertThat(r.getAppId()).isEqualTo("app-5");
      assertThat(r.getTask()).isEqualTo("map");
      assertThat(r.getInstance()).isEqualTo(1);
      assertThat(r.getToTask()).isEqualTo("reduce");
      assertThat(r.getPartition()).isEqualTo(3);
      assertThat(r.getOffset()).isZero();
    });
  }

  @Test
  void anEmptyPartIsReadAsEmpty() throws IOException {
    data.script = (request, call) -> honest(new byte[0], request.getOffset());

    try (InputStream in = open(new byte[0])) {
      assertThat(in.read()).isEqualTo(-1);
    }
  }

  @Test
  void brokenStreamsResumeFromTheLastGoodByte() throws IOException {
    data.script = (request, call) -> switch (call) {
      case 1 -> broken(honest(FILE, 0).chunks().subList(0, 5));
      // The serving worker dying as the call starts: grpc-netty's UNKNOWN "channel closed".
      case 2 -> new Reply(honest(FILE, request.getOffset()).chunks().subList(0, 3),
          Status.UNKNOWN.withDescription("channel closed"));
      default -> honest(FILE, request.getOffset());
    };

    try (InputStream in = open(FILE)) {
      assertThat(in.readAllBytes()).isEqualTo(FILE);
    }
    assertThat(data.requests).extracting(FetchRequest::getOffset).containsExactly(0L, 50_000L, 80_000L);
  }

  @Test
  void aStalledStreamIsResumedAfterTheDeadline() throws IOException {
    data.script = (request, call) -> call == 1
        ? new Reply(honest(FILE, 0).chunks().subList(0, 2), null)
        : honest(FILE, request.getOffset());

    try (InputStream in = fetcher(Duration.ofMillis(300)).open("app-5", part(FILE.length, crc32c(FILE)))) {
      assertThat(in.readAllBytes()).isEqualTo(FILE);
    }
    assertThat(data.requests).extracting(FetchRequest::getOffset).containsExactly(0L, 20_000L);
  }

  @Test
  void afterThreeRetriesTheReadFailsNamingThePartAndNode() {
    data.script = (request, call) -> broken(honest(FILE, request.getOffset()).chunks().subList(0, 1));

    assertThatThrownBy(() -> open(FILE).readAllBytes())
        .isInstanceOf(IOException.class)
        .hasMessageContaining("part (app app-5, task map, instance 1, attempt 0, to_task reduce, partition 3) on node "
            + node)
        .hasMessageContaining("fetch failed at byte 40000 after 3 retries: UNAVAILABLE");
    assertThat(data.requests).hasSize(4);
  }

  @Test
  void aMissingPartIsNotRetried() {
    data.script = (request, call) -> new Reply(List.of(), Status.NOT_FOUND.withDescription("not committed"));

    assertThatThrownBy(() -> open(FILE).readAllBytes())
        .hasMessageContaining("on node " + node + ": fetch failed at byte 0: NOT_FOUND not committed");
    assertThat(data.requests).hasSize(1);
  }

  @Test
  void aChunkWhoseChecksumIsWrongFailsTheRead() {
    data.script = (request, call) -> change(honest(FILE, 0), 3,
        c -> c.toBuilder().setData(flipFirstByte(c.getData())).build());

    assertThatThrownBy(() -> open(FILE).readAllBytes())
        .hasMessageContaining("partition 3) on node " + node + ": CRC32C mismatch in the chunk at byte 30000");
  }

  @Test
  void aTotalLengthOtherThanTheCommittedOneFailsTheRead() {
    data.script = (request, call) -> change(honest(FILE, 0), 0,
        c -> c.toBuilder().setTotalLength(FILE.length + 1).build());

    assertThatThrownBy(() -> open(FILE).readAllBytes())
        .hasMessageContaining("the node has 123458 bytes, the part was committed with 123457");
  }

  @Test
  void aGapBetweenChunksFailsTheRead() {
    data.script = (request, call) -> {
      List<DataChunk> chunks = new ArrayList<>(honest(FILE, 0).chunks());
      chunks.remove(1);
      return new Reply(chunks, Status.OK);
    };

    assertThatThrownBy(() -> open(FILE).readAllBytes())
        .hasMessageContaining("a chunk starts at byte 20000, expected 10000");
  }

  @Test
  void aStreamEndingEarlyFailsTheRead() {
    data.script = (request, call) -> new Reply(honest(FILE, 0).chunks().subList(0, 12), Status.OK);

    assertThatThrownBy(() -> open(FILE).readAllBytes())
        .hasMessageContaining("the stream ended at byte 120000 of 123457");
  }

  @Test
  void aFileWhoseWholeChecksumDiffersFromTheCommittedOneFailsAtTheEnd() throws IOException {
    data.script = (request, call) -> honest(FILE, request.getOffset());

    try (InputStream in = fetcher(Duration.ofSeconds(10)).open("app-5", part(FILE.length, crc32c(FILE) + 1))) {
      assertThat(in.readNBytes(FILE.length)).isEqualTo(FILE);
      assertThatThrownBy(in::read).hasMessageContaining("the file's CRC32C is");
      assertThatThrownBy(in::read).as("the failure sticks").hasMessageContaining("the file's CRC32C is");
    }
  }

  @Test
  void chunksAreAskedForOnlyAsTheReaderConsumesThem() throws IOException {
    data.script = (request, call) -> honest(FILE, request.getOffset());

    try (InputStream in = open(FILE)) {
      assertThat(in.read()).isEqualTo(FILE[0] & 0xff);
      // One chunk taken by the reader, PREFETCH more asked for: nothing beyond, however long we wait.
      await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2))
          .until(() -> data.sent.get() <= PartStream.PREFETCH + 1);
      assertThat(in.readNBytes(CHUNK * 3)).hasSize(CHUNK * 3);
      await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2))
          .until(() -> data.sent.get() <= PartStream.PREFETCH + 4);
    }
    await().atMost(Duration.ofSeconds(5)).untilTrue(data.cancelled);
  }

  // ---- the scripted server -------------------------------------------------------------------

  /** What one Fetch answers: chunks, then the closing status (null: the stream stalls, never ends). */
  record Reply(List<DataChunk> chunks, Status end) {}

  static Reply honest(byte[] file, long offset) {
    List<DataChunk> chunks = new ArrayList<>();
    long at = offset;
    do {
      int n = (int) Math.min(CHUNK, file.length - at);
      ByteString data = ByteString.copyFrom(file, (int) at, n);
      DataChunk.Builder c = DataChunk.newBuilder().setOffset(at).setData(data).setCrc32C(crc32c(data.toByteArray()));
      if (chunks.isEmpty()) {
        c.setTotalLength(file.length);
      }
      chunks.add(c.build());
      at += n;
    } while (at < file.length);
    return new Reply(chunks, Status.OK);
  }

  static Reply broken(List<DataChunk> chunks) {
    return new Reply(chunks, Status.UNAVAILABLE.withDescription("connection reset"));
  }

  static Reply change(Reply reply, int index, UnaryOperator<DataChunk> change) {
    List<DataChunk> chunks = new ArrayList<>(reply.chunks());
    chunks.set(index, change.apply(chunks.get(index)));
    return new Reply(chunks, reply.end());
  }

  static ByteString flipFirstByte(ByteString data) {
    byte[] bytes = data.toByteArray();
    bytes[0] ^= 1;
    return ByteString.copyFrom(bytes);
  }

  static int crc32c(byte[] bytes) {
    CRC32C crc = new CRC32C();
    crc.update(bytes);
    return (int) crc.getValue();
  }

  /** Answers each Fetch as the test's script says, sending only while the client is ready for more. */
  static final class ScriptedServer extends PipelineDataGrpc.PipelineDataImplBase {
    final List<FetchRequest> requests = new CopyOnWriteArrayList<>();
    final AtomicInteger sent = new AtomicInteger();
    final AtomicBoolean cancelled = new AtomicBoolean();
    /** (request, call number from 1) to the reply. */
    volatile BiFunction<FetchRequest, Integer, Reply> script;

    @Override
    public void fetch(FetchRequest request, StreamObserver<DataChunk> response) {
      requests.add(request);
      Reply reply = script.apply(request, requests.size());
      ServerCallStreamObserver<DataChunk> out = (ServerCallStreamObserver<DataChunk>) response;
      Iterator<DataChunk> chunks = reply.chunks().iterator();
      AtomicBoolean ended = new AtomicBoolean();
      out.setOnCancelHandler(() -> cancelled.set(true));
      out.setOnReadyHandler(() -> {
        while (out.isReady() && chunks.hasNext()) {
          out.onNext(chunks.next());
          sent.incrementAndGet();
        }
        if (!chunks.hasNext() && reply.end() != null && ended.compareAndSet(false, true)) {
          if (reply.end().isOk()) {
            out.onCompleted();
          } else {
            out.onError(reply.end().asRuntimeException());
          }
        }
      });
    }
  }
}
