package io.feitian.common.grpc;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The address a daemon tells others to reach it at, and why. Set
 * explicitly, it is used as given. A server bound to one interface
 * advertises that interface. A server bound to every interface advertises
 * the address of the interface that routes to ZooKeeper: the network the
 * cluster shares. (The host name is no default: Debian's /etc/hosts maps it
 * to 127.0.1.1, which other hosts cannot reach.) A loopback address is
 * refused while ZooKeeper is on another host, because no other node could
 * reach this one.
 *
 * @param address host:port
 * @param reason how it was chosen, for --print-config and the start log
 */
public record Advertised(String address, String reason) {

  /**
   * @param key the configuration key of the advertised address, e.g. "fuxi.master.advertise"
   * @param zkConnect the ZooKeeper connect string (host:port[,host:port...][/chroot])
   * @throws IllegalArgumentException when the address is loopback and ZooKeeper is not
   */
  public static Advertised choose(String key, String advertise, String bindHost, int port, String zkConnect) {
    Advertised chosen;
    if (advertise != null && !advertise.isBlank()) {
      chosen = new Advertised(advertise.contains(":") ? advertise : advertise + ":" + port, "set by " + key);
    } else if (isWildcard(bindHost)) {
      String zk = zooKeeperServers(zkConnect).get(0);
      chosen = localAddressTowards(zk)
          .map(a -> new Advertised(hostPort(a.getHostAddress(), port),
              "the address of the interface that reaches ZooKeeper " + zk))
          .orElseGet(() -> new Advertised(hostPort("127.0.0.1", port),
              "no route to ZooKeeper " + zk + " was found; set " + key));
    } else {
      chosen = new Advertised(hostPort(bindHost, port), "the bind address");
    }
    chosen.requireReachableFrom(key, zkConnect);
    return chosen;
  }

  /** The line --print-config shows. */
  public String comment() {
    return "# advertised address: " + address + " (" + reason + ")";
  }

  private void requireReachableFrom(String key, String zkConnect) {
    if (!isLoopback(host(address))) {
      return;
    }
    for (String zk : zooKeeperServers(zkConnect)) {
      if (!isLoopback(host(zk))) {
        throw new IllegalArgumentException(key + " would be " + address + " (" + reason + "), a loopback address,"
            + " while ZooKeeper " + zk + " is on another host: no other node could reach this one. Set " + key
            + " to host:port of an address the other nodes can reach, or bind to one");
      }
    }
  }

  /** The servers of a connect string, without the chroot suffix. */
  static List<String> zooKeeperServers(String zkConnect) {
    String servers = zkConnect.contains("/") ? zkConnect.substring(0, zkConnect.indexOf('/')) : zkConnect;
    List<String> out = new ArrayList<>();
    for (String s : servers.split(",")) {
      if (!s.isBlank()) {
        out.add(s.trim());
      }
    }
    if (out.isEmpty()) {
      throw new IllegalArgumentException("feitian.zookeeper.connect names no server: '" + zkConnect + "'");
    }
    return out;
  }

  /** The local address the kernel would send from to reach host:port (a UDP connect sends nothing). */
  static Optional<InetAddress> localAddressTowards(String hostPort) {
    try (DatagramSocket probe = new DatagramSocket()) {
      probe.connect(new InetSocketAddress(host(hostPort), port(hostPort)));
      InetAddress local = probe.getLocalAddress();
      return local == null || local.isAnyLocalAddress() ? Optional.empty() : Optional.of(local);
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }

  private static boolean isWildcard(String host) {
    return host.equals("0.0.0.0") || host.equals("::") || host.equals("[::]");
  }

  private static boolean isLoopback(String host) {
    try {
      return InetAddress.getByName(host).isLoopbackAddress();
    } catch (UnknownHostException e) {
      return false; // a name others may resolve; not ours to judge
    }
  }

  private static String host(String hostPort) {
    int colon = hostPort.lastIndexOf(':');
    String h = colon < 0 ? hostPort : hostPort.substring(0, colon);
    return h.startsWith("[") && h.endsWith("]") ? h.substring(1, h.length() - 1) : h;
  }

  private static int port(String hostPort) {
    int colon = hostPort.lastIndexOf(':');
    return colon < 0 ? 2181 : Integer.parseInt(hostPort.substring(colon + 1));
  }

  private static String hostPort(String host, int port) {
    return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
  }
}
