package io.feitian.shennong.cluster;

import static org.awaitility.Awaitility.await;

import com.typesafe.config.Config;
import io.feitian.common.config.ConfigLoader;
import io.feitian.proto.shennong.v1.AgentServiceGrpc;
import io.feitian.proto.shennong.v1.ListAgentsRequest;
import io.feitian.proto.shennong.v1.MasterServiceGrpc;
import io.feitian.shennong.agent.ShennongAgent;
import io.feitian.shennong.master.ShennongMaster;
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

/**
 * Real shennong-masters and shennong-agents in this JVM (Netty on loopback) against a real embedded
 * ZooKeeper, with short intervals. Shared with the tests of monitor-service and analysis-service
 * through this module's test-jar (they start their own daemons with {@link #config}).
 */
public final class ShennongFixture implements AutoCloseable {
  final TestingServer zk;
  final List<ShennongMaster> masters = new ArrayList<>();
  final List<ShennongAgent> agents = new ArrayList<>();
  private final Map<String, ManagedChannel> channels = new LinkedHashMap<>();
  private final Map<String, Object> settings = new LinkedHashMap<>();

  /** Starts ZooKeeper (its data under {@code dir}); no daemon yet. */
  public ShennongFixture(Path dir) throws Exception {
    zk = new TestingServer(new InstanceSpec(dir.resolve("zk").toFile(), -1, -1, -1, true, -1, 200, -1), true);
    settings.put("feitian.zookeeper.connect", zk.getConnectString());
    settings.put("feitian.zookeeper.session-timeout", "2s");
    settings.put("shennong.master.port", 0);
    settings.put("shennong.master.status-interval", "200ms");
    settings.put("shennong.master.report-grace", "400ms");
    settings.put("shennong.agent.port", 0);
    settings.put("shennong.agent.metrics.port", 0);
    settings.put("shennong.master.metrics.port", 0);
    settings.put("shennong.agent.reconnect-backoff", "50ms");
    settings.put("shennong.agent.reconnect-backoff-max", "200ms");
    settings.put("feitian.shennong.report", "false"); // daemons' own events would mix with a test's
  }

  /** A setting of every daemon started from now on ({@link #config}). */
  public ShennongFixture with(String key, Object value) {
    settings.put(key, value);
    return this;
  }

  /** The fixture's settings with {@code extra}: for the daemons a test starts itself. */
  public Config config(Map<String, Object> extra) {
    Map<String, Object> all = new LinkedHashMap<>(settings);
    all.putAll(extra);
    return ConfigLoader.load(null, all);
  }

  public ShennongMaster startMaster() throws Exception {
    ShennongMaster m = new ShennongMaster(config(Map.of()));
    m.start();
    masters.add(m);
    return m;
  }

  public ShennongMaster leader() {
    await().atMost(Duration.ofSeconds(15)).until(() -> masters.stream().anyMatch(ShennongMaster::isLeader));
    return masters.stream().filter(ShennongMaster::isLeader).findFirst().orElseThrow();
  }

  public ShennongAgent startAgent(String nodeId) throws Exception {
    ShennongAgent a = new ShennongAgent(config(Map.of("shennong.agent.node-id", nodeId)));
    a.start();
    agents.add(a);
    return a;
  }

  /** ZooKeeper's connect string. */
  public String zkConnect() {
    return zk.getConnectString();
  }

  /** Waits until the leader lists exactly these agents as up. */
  public void awaitAgentsUp(String... nodeIds) {
    await().atMost(Duration.ofSeconds(15)).until(() -> {
      try {
        return MasterServiceGrpc.newBlockingStub(channelTo(leader().address())).listAgents(
            ListAgentsRequest.getDefaultInstance()).getAgentsList().stream().map(a -> a.getNodeId()).sorted()
            .toList().equals(List.of(nodeIds).stream().sorted().toList());
      } catch (RuntimeException e) {
        return false;
      }
    });
  }

  public MasterServiceGrpc.MasterServiceBlockingStub masterStub() {
    return MasterServiceGrpc.newBlockingStub(channelTo(leader().address()));
  }

  public AgentServiceGrpc.AgentServiceBlockingStub agentStub(ShennongAgent a) {
    return AgentServiceGrpc.newBlockingStub(channelTo(a.address()));
  }

  /** A plaintext channel per address, shut down with the fixture. */
  public synchronized ManagedChannel channelTo(String address) {
    return channels.computeIfAbsent(address, a -> NettyChannelBuilder.forTarget(a).usePlaintext().build());
  }

  public void stop(ShennongAgent a) {
    a.close();
    agents.remove(a);
  }

  public void stop(ShennongMaster m) {
    m.close();
    masters.remove(m);
  }

  @Override
  public void close() throws Exception {
    channels.values().forEach(ManagedChannel::shutdownNow);
    agents.forEach(ShennongAgent::close);
    masters.forEach(ShennongMaster::close);
    zk.close();
  }
}
