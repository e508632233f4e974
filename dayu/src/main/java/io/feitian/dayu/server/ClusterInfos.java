package io.feitian.dayu.server;

import io.feitian.dayu.db.ConfigDatabase;
import io.feitian.dayu.db.Node;
import io.feitian.dayu.descriptor.ParamType;
import io.feitian.dayu.descriptor.Parameter;
import io.feitian.proto.dayu.v1.ClusterInfo;
import io.feitian.proto.dayu.v1.HostGroup;
import io.feitian.proto.dayu.v1.ModuleAddresses;
import io.feitian.proto.dayu.v1.NodeInfo;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * GetClusterInfo's answer: the cluster's nodes, racks, roles and the addresses of its listening
 * modules, read from the configuration database. A module listens when the descriptor of the
 * version a node runs declares an int parameter {@value #PORT}, the name every Feitian module
 * serving gRPC or HTTP uses; the node's address is its host and that parameter's effective value
 * there (else the default).
 */
final class ClusterInfos {
  /** The parameter naming the port a module listens on. */
  static final String PORT = "port";

  private final ConfigDatabase db;

  ClusterInfos(ConfigDatabase db) {
    this.db = db;
  }

  ClusterInfo read(String clusterName) {
    List<Node> nodes = db.clusters().nodes(clusterName); // NOT_FOUND, naming the field, for an unknown cluster
    io.feitian.dayu.db.Cluster cluster = db.clusters().cluster(clusterName).orElseThrow();
    Map<String, Map<String, String>> installed = db.clusters().nodeModules(clusterName);
    ClusterInfo.Builder b = ClusterInfo.newBuilder().setCluster(Messages.cluster(cluster));
    Map<String, List<String>> racks = new TreeMap<>();
    for (Node n : nodes) {
      b.addNodes(NodeInfo.newBuilder().setNode(Messages.node(n)).putAllModules(installed.getOrDefault(n.host(),
          Map.of())));
      racks.computeIfAbsent(n.rack(), r -> new ArrayList<>()).add(n.host());
    }
    racks.forEach((rack, hosts) -> b.addRacks(HostGroup.newBuilder().setName(rack).addAllHosts(hosts)));
    db.clusters().roles(clusterName).forEach(role ->
        b.addRoles(HostGroup.newBuilder().setName(role.name()).addAllHosts(role.hosts())));
    addresses(clusterName, installed).forEach((module, addresses) ->
        b.addAddresses(ModuleAddresses.newBuilder().setModule(module).addAllAddresses(addresses)));
    return b.build();
  }

  /** Module -> "host:port" of each node running a listening version of it, in host order. */
  private Map<String, List<String>> addresses(String cluster, Map<String, Map<String, String>> installed) {
    Map<String, List<String>> byModule = new TreeMap<>();
    Map<String, Optional<Parameter>> portOf = new HashMap<>(); // "module version" -> its port parameter
    installed.forEach((host, modules) -> modules.forEach((module, version) -> {
      Optional<Parameter> port = portOf.computeIfAbsent(module + " " + version, k -> portParameter(module, version));
      port.flatMap(p -> Optional.ofNullable(db.params().effective(cluster, module, host).get(PORT))
              .or(p::defaultValue))
          .ifPresent(value -> byModule.computeIfAbsent(module, m -> new ArrayList<>()).add(host + ":" + value));
    }));
    return byModule;
  }

  private Optional<Parameter> portParameter(String module, String version) {
    return db.modules().version(module, version)
        .map(v -> ModuleChecks.parse(v.descriptor()).parameters().get(PORT))
        .filter(p -> p.type() == ParamType.INT);
  }
}
