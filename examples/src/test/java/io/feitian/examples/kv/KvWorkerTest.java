package io.feitian.examples.kv;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.feitian.proto.examples.v1.GetRequest;
import io.feitian.proto.examples.v1.GetResponse;
import io.feitian.proto.examples.v1.KeyValueGrpc;
import io.feitian.proto.examples.v1.PutRequest;
import io.feitian.proto.examples.v1.PutResponse;
import io.feitian.service.client.ServiceKeys;
import io.feitian.service.partition.KeyRange;
import io.feitian.service.worker.PartitionInfo;
import io.feitian.service.worker.Served;
import io.feitian.service.worker.WorkerContext;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KvWorkerTest {
  private static final String AT = "80000000";

  @TempDir
  Path dir;

  private final KvWorker worker = new KvWorker();
  private final FakeContext context = new FakeContext();
  private KeyValueGrpc.KeyValueImplBase api;

  @AfterEach
  void close() {
    worker.close();
  }

  /** The runtime's part: which partitions are served here. */
  private final class FakeContext implements WorkerContext {
    final Map<String, String> env = new HashMap<>();
    final List<PartitionInfo> serving = new ArrayList<>();
    int held;

    @Override
    public String appId() {
      return "app-1";
    }

    @Override
    public String workerId() {
      return "w-1";
    }

    @Override
    public String role() {
      return "store";
    }

    @Override
    public Path workDir() {
      return dir.resolve("work");
    }

    @Override
    public Map<String, String> env() {
      return env;
    }

    @Override
    public Served serve(String key) {
      assertThat(key).matches("[0-9a-f]{8}");
      PartitionInfo p = serving.stream().filter(x -> x.range().contains(key)).findFirst().orElseThrow(
          () -> Status.FAILED_PRECONDITION.withDescription("not served here: " + key).asRuntimeException());
      held++;
      return new Served() {
        @Override
        public PartitionInfo partition() {
          return p;
        }

        @Override
        public void close() {
          held--;
        }
      };
    }
  }

  private static final class Recorder<T> implements StreamObserver<T> {
    final List<T> values = new ArrayList<>();
    Throwable error;
    boolean completed;

    @Override
    public void onNext(T value) {
      values.add(value);
    }

    @Override
    public void onError(Throwable t) {
      error = t;
    }

    @Override
    public void onCompleted() {
      completed = true;
    }

    T only() {
      assertThat(error).isNull();
      assertThat(completed).isTrue();
      assertThat(values).hasSize(1);
      return values.get(0);
    }
  }

  private void start() throws Exception {
    context.env.put("KV_DATA_DIR", dir.resolve("data").toString());
    api = (KeyValueGrpc.KeyValueImplBase) worker.services(context).get(0);
  }

  private void serve(PartitionInfo p) throws Exception {
    worker.load(p);
    context.serving.add(p);
  }

  private Recorder<PutResponse> put(String key, String value) {
    Recorder<PutResponse> r = new Recorder<>();
    api.put(PutRequest.newBuilder().setKey(key).setValue(value).build(), r);
    assertThat(context.held).as("the partition is let go").isZero();
    return r;
  }

  private Recorder<GetResponse> get(String key) {
    Recorder<GetResponse> r = new Recorder<>();
    api.get(GetRequest.newBuilder().setKey(key).build(), r);
    assertThat(context.held).as("the partition is let go").isZero();
    return r;
  }

  @Test
  void theDataDirectoryIsRequiredAndAbsolute() {
    assertThatThrownBy(() -> worker.services(context)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("KV_DATA_DIR");
    context.env.put("KV_DATA_DIR", "relative/data");
    assertThatThrownBy(() -> worker.services(context)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("KV_DATA_DIR").hasMessageContaining("absolute");
  }

  @Test
  void putThenGetAnswersWithThePartitionAndItsEpoch() throws Exception {
    start();
    serve(new PartitionInfo("p-0", KeyRange.ALL, 3));
    assertThat(put("apple", "red").only()).isEqualTo(PutResponse.newBuilder().setPartition("p-0").setEpoch(3).build());
    assertThat(get("apple").only())
        .isEqualTo(GetResponse.newBuilder().setFound(true).setValue("red").setPartition("p-0").setEpoch(3).build());
    assertThat(get("pear").only())
        .isEqualTo(GetResponse.newBuilder().setFound(false).setPartition("p-0").setEpoch(3).build());
    assertThat(PartitionStore.read(dir.resolve("data"), "p-0")).as("on file when it answered")
        .isEqualTo(Map.of("apple", "red"));

    worker.unload(new PartitionInfo("p-0", KeyRange.ALL, 3));
    context.serving.clear();
    serve(new PartitionInfo("p-0", KeyRange.ALL, 4));
    assertThat(get("apple").only().getValue()).isEqualTo("red");
    assertThat(get("apple").only().getEpoch()).isEqualTo(4);
  }

  @Test
  void badRequestsAndKeysServedElsewhereAreRefused() throws Exception {
    start();
    String key = "apple";
    boolean low = ServiceKeys.hash(key).compareTo(AT) < 0;
    serve(new PartitionInfo("p-0", low ? new KeyRange(AT, "") : new KeyRange("", AT), 1));

    Recorder<PutResponse> elsewhere = put(key, "red");
    assertThat(elsewhere.values).isEmpty();
    assertThat(Status.fromThrowable(elsewhere.error).getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
    assertThat(Status.fromThrowable(get(key).error).getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);

    Recorder<PutResponse> empty = put("", "x");
    assertThat(empty.error).isInstanceOf(StatusRuntimeException.class);
    assertThat(Status.fromThrowable(empty.error).getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(Status.fromThrowable(empty.error).getDescription()).contains("key");
    assertThat(Status.fromThrowable(get("").error).getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
  }

  @Test
  void splitDividesTheKeysByHashAndKeepsTheParent() throws Exception {
    start();
    Path data = dir.resolve("data");
    PartitionInfo parent = new PartitionInfo("p-0", KeyRange.ALL, 1);
    serve(parent);
    Map<String, String> expected = new HashMap<>();
    for (int i = 0; i < 300; i++) {
      assertThat(put("key-" + i, "first-" + i).only().getPartition()).isEqualTo("p-0");
      expected.put("key-" + i, "first-" + i);
    }
    for (int i = 0; i < 300; i += 3) {
      put("key-" + i, "second-" + i).only();
      expected.put("key-" + i, "second-" + i);
    }
    byte[] parentBytes = Files.readAllBytes(PartitionStore.file(data, "p-0"));

    context.serving.clear(); // the runtime stops serving it, then splits
    PartitionInfo lower = new PartitionInfo("p-1", KeyRange.ALL.lower(AT), 2);
    PartitionInfo upper = new PartitionInfo("p-2", KeyRange.ALL.upper(AT), 2);
    worker.split(parent, lower, upper);

    assertThat(Files.readAllBytes(PartitionStore.file(data, "p-0"))).as("the parent's log is untouched")
        .isEqualTo(parentBytes);
    Map<String, String> low = new HashMap<>();
    Map<String, String> high = new HashMap<>();
    expected.forEach((k, v) -> (ServiceKeys.hash(k).compareTo(AT) < 0 ? low : high).put(k, v));
    assertThat(low).hasSizeGreaterThan(100);
    assertThat(high).hasSizeGreaterThan(100);
    assertThat(PartitionStore.read(data, "p-1")).isEqualTo(low);
    assertThat(PartitionStore.read(data, "p-2")).isEqualTo(high);
    assertThat(Files.size(PartitionStore.file(data, "p-1"))).as("one record a key")
        .isEqualTo(low.entrySet().stream().mapToLong(e -> PartitionStore.record(e.getKey(), e.getValue()).limit())
            .sum());

    serve(lower);
    serve(upper);
    for (Map.Entry<String, String> e : expected.entrySet()) {
      GetResponse r = get(e.getKey()).only();
      assertThat(r.getFound()).isTrue();
      assertThat(r.getValue()).isEqualTo(e.getValue());
      assertThat(r.getPartition()).isEqualTo(low.containsKey(e.getKey()) ? "p-1" : "p-2");
      assertThat(r.getEpoch()).isEqualTo(2);
    }
    assertThat(put("key-0", "third").only().getPartition()).isEqualTo(low.containsKey("key-0") ? "p-1" : "p-2");
    assertThat(Files.readAllBytes(PartitionStore.file(data, "p-0"))).isEqualTo(parentBytes);
  }

  @Test
  void aFailedSplitLeavesTheParentServing() throws Exception {
    start();
    PartitionInfo parent = new PartitionInfo("p-0", KeyRange.ALL, 1);
    serve(parent);
    put("apple", "red").only();
    Files.writeString(dir.resolve("data").resolve("p-2"), "a file where the upper half's directory goes");
    byte[] before = Files.readAllBytes(PartitionStore.file(dir.resolve("data"), "p-0"));

    context.serving.clear();
    assertThatThrownBy(() -> worker.split(parent, new PartitionInfo("p-1", KeyRange.ALL.lower(AT), 2),
        new PartitionInfo("p-2", KeyRange.ALL.upper(AT), 2))).isInstanceOf(java.io.IOException.class);
    context.serving.add(parent); // the runtime serves it again, without a load

    assertThat(get("apple").only().getValue()).isEqualTo("red");
    put("banana", "yellow").only();
    assertThat(PartitionStore.read(dir.resolve("data"), "p-0")).isEqualTo(Map.of("apple", "red", "banana", "yellow"));
    assertThat(Files.size(PartitionStore.file(dir.resolve("data"), "p-0")))
        .isEqualTo(before.length + PartitionStore.record("banana", "yellow").limit());
  }
}
