package io.feitian.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.feitian.client.ClusterTarget;
import io.feitian.client.FeitianClient;
import io.feitian.common.security.Pki;
import io.feitian.common.security.TlsSettings;
import io.feitian.proto.fuxi.v1.GetClusterStatusRequest;
import io.feitian.proto.fuxi.v1.NodeStatus;
import io.feitian.proto.fuxi.v1.SetQuotaRequest;
import io.feitian.proto.fuxi.v1.QuotaGroup;
import io.grpc.Status;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A cluster of real daemons with mutual TLS and tokens everywhere: nodes
 * with a certificate from the cluster CA join; one with another CA's
 * certificate cannot register; clients need the CA, a certificate and a token.
 */
class SecureClusterIT {
  static final String ADMIN = "0123456789abcdef0123456789abcdef";
  static final String USER = "fedcba9876543210fedcba9876543210";

  @TempDir
  Path dir;

  private static String[] tls(Pki.Issued id, Path ca) {
    return new String[] {"--set", "feitian.security.tls.enabled=true",
        "--set", "feitian.security.tls.cert=" + id.cert(), "--set", "feitian.security.tls.key=" + id.key(),
        "--set", "feitian.security.tls.ca=" + ca, "--set", "feitian.security.tls.client-auth=require"};
  }

  @Test
  void onlyNodesWithAClusterCertificateJoinAndCallsNeedTokens() throws Exception {
    Pki pki = new Pki(dir.resolve("pki"), "cluster-ca");
    Pki rogue = new Pki(dir.resolve("rogue"), "rogue-ca");
    Pki.Issued client = pki.issue("operator");
    Path tokens = dir.resolve("tokens");
    Files.writeString(tokens, ADMIN + " admin daemons\n" + USER + " user alice\n");
    FeitianClient.Options adminOptions = FeitianClient.Options.defaults().withRetryWindow(Duration.ofSeconds(20))
        .withTls(TlsSettings.client(pki.caPath().toFile(), client.cert().toFile(), client.key().toFile()))
        .withToken(ADMIN);

    try (TestCluster c = new TestCluster(dir).withClientOptions(adminOptions).withArgs(
        "--set", "feitian.security.auth.enabled=true", "--set", "feitian.security.auth.tokens-file=" + tokens,
        "--set", "feitian.security.token=" + ADMIN)) {
      c.startMaster(tls(pki.issue("master"), pki.caPath()));
      c.startWorker("node-good", "r1", tls(pki.issue("node-good"), pki.caPath()));
      c.startWorker("node-rogue", "r1", tls(rogue.issue("node-rogue"), pki.caPath()));

      c.awaitAliveNodes(1);
      // Give the rogue node ample time to try; it must never appear.
      await().pollDelay(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(10))
          .until(() -> c.log("node-rogue").contains("not usable") || c.log("node-rogue").contains("failed"));
      List<String> nodes = c.status().getNodesList().stream().map(NodeStatus::getNodeId).toList();
      assertThat(nodes).containsExactly("node-good");

      // A user token may read but not change quotas; no token at all is refused.
      String leader = c.client().findLeader();
      try (FeitianClient user = new FeitianClient(new ClusterTarget.Masters(List.of(leader)),
          adminOptions.withToken(USER).withRetryWindow(Duration.ofMillis(100)))) {
        assertThat(user.cluster(s -> s.getClusterStatus(GetClusterStatusRequest.getDefaultInstance())).getNodesCount())
            .isEqualTo(1);
        assertThatThrownBy(() -> user.cluster(s -> s.setQuota(SetQuotaRequest.newBuilder()
            .setQuota(QuotaGroup.newBuilder().setName("g")).build())))
            .satisfies(e -> assertThat(Status.fromThrowable(e).getCode()).isEqualTo(Status.Code.PERMISSION_DENIED));
      }
      try (FeitianClient anonymous = new FeitianClient(new ClusterTarget.Masters(List.of(leader)),
          adminOptions.withToken(null).withRetryWindow(Duration.ofMillis(100)))) {
        assertThatThrownBy(() -> anonymous.cluster(s -> s.getClusterStatus(GetClusterStatusRequest.getDefaultInstance())))
            .satisfies(e -> assertThat(Status.fromThrowable(e).getCode()).isEqualTo(Status.Code.UNAUTHENTICATED));
      }
    }
  }
}
