package io.feitian.fuxi.master.rpc;

import static org.awaitility.Awaitility.await;

import com.typesafe.config.Config;
import io.feitian.common.config.ConfigLoader;
import io.feitian.fuxi.master.FuxiMaster;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.curator.test.InstanceSpec;
import org.apache.curator.test.TestingServer;

/** Real fuxi-masters in this JVM (Netty on loopback) against a real embedded ZooKeeper. */
final class MasterFixture implements AutoCloseable {
  final TestingServer zk;
  final List<FuxiMaster> masters = new ArrayList<>();
  private final List<ManagedChannel> channels = new ArrayList<>();
  private final Map<String, Object> settings = new LinkedHashMap<>();

  MasterFixture(Path dir) throws Exception {
    zk = new TestingServer(new InstanceSpec(dir.resolve("zk").toFile(), -1, -1, -1, true, -1, 200, -1), true);
    settings.put("feitian.zookeeper.connect", zk.getConnectString());
    settings.put("feitian.zookeeper.session-timeout", "2s");
    settings.put("fuxi.master.port", 0);
  }

  MasterFixture with(String key, Object value) {
    settings.put(key, value);
    return this;
  }

  Config config() {
    return ConfigLoader.load(null, settings);
  }

  FuxiMaster start() throws Exception {
    FuxiMaster m = new FuxiMaster(config());
    m.start();
    masters.add(m);
    return m;
  }

  FuxiMaster startLeader() throws Exception {
    FuxiMaster m = start();
    await().atMost(Duration.ofSeconds(10)).until(m::isLeader);
    return m;
  }

  /** A plaintext channel to a master, shut down with the fixture. */
  ManagedChannel channelTo(FuxiMaster m) {
    ManagedChannel ch = NettyChannelBuilder.forTarget(m.address()).usePlaintext().build();
    channels.add(ch);
    return ch;
  }

  @Override
  public void close() throws Exception {
    channels.forEach(ManagedChannel::shutdownNow);
    for (FuxiMaster m : masters) {
      m.close();
    }
    zk.close();
  }
}
