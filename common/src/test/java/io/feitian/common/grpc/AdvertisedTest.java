package io.feitian.common.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class AdvertisedTest {
  private static final String KEY = "fuxi.master.advertise";

  @Test
  void anExplicitAddressIsUsedAsGiven() {
    assertThat(Advertised.choose(KEY, "10.1.2.3", "0.0.0.0", 7100, "10.1.2.4:2181"))
        .isEqualTo(new Advertised("10.1.2.3:7100", "set by " + KEY));
    assertThat(Advertised.choose(KEY, "m1.example:7999", "0.0.0.0", 7100, "10.1.2.4:2181").address())
        .isEqualTo("m1.example:7999");
  }

  @Test
  void aWildcardBindAdvertisesTheInterfaceThatReachesZooKeeper() {
    Advertised a = Advertised.choose(KEY, "", "0.0.0.0", 7100, "127.0.0.1:2181,127.0.0.1:2182/feitian");
    assertThat(a.address()).isEqualTo("127.0.0.1:7100");
    assertThat(a.reason()).contains("reaches ZooKeeper 127.0.0.1:2181");
  }

  @Test
  void aBoundInterfaceIsAdvertised() {
    assertThat(Advertised.choose(KEY, "", "127.0.0.1", 7100, "127.0.0.1:2181").address()).isEqualTo("127.0.0.1:7100");
  }

  @Test
  void aLoopbackAddressIsRefusedWhenZooKeeperIsElsewhere() {
    assertThatThrownBy(() -> Advertised.choose(KEY, "", "127.0.0.1", 7100, "127.0.0.1:2181,10.1.2.4:2181"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(KEY + " would be 127.0.0.1:7100 (the bind address), a loopback address")
        .hasMessageContaining("ZooKeeper 10.1.2.4:2181 is on another host");
    assertThatThrownBy(() -> Advertised.choose(KEY, "127.0.1.1:7100", "0.0.0.0", 7100, "10.1.2.4:2181"))
        .hasMessageContaining("set by " + KEY);
  }

  @Test
  void theConnectStringsServersAreReadWithoutTheChroot() {
    assertThat(Advertised.zooKeeperServers("a:1, b:2/feitian/x")).containsExactly("a:1", "b:2");
    assertThatThrownBy(() -> Advertised.zooKeeperServers("/chroot")).hasMessageContaining("names no server");
  }
}
