package io.feitian.fuxi.master.rpc;

import static io.feitian.fuxi.master.rpc.BadInputTest.assertStatus;
import static io.feitian.fuxi.master.rpc.BadInputTest.node;
import static org.assertj.core.api.Assertions.assertThat;

import io.feitian.common.security.BearerToken;
import io.feitian.common.security.Pki;
import io.feitian.fuxi.master.FuxiMaster;
import io.feitian.proto.fuxi.v1.ClusterServiceGrpc;
import io.feitian.proto.fuxi.v1.ListQuotasRequest;
import io.feitian.proto.fuxi.v1.NodeServiceGrpc;
import io.feitian.proto.fuxi.v1.QuotaGroup;
import io.feitian.proto.fuxi.v1.SetQuotaRequest;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContextBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Authentication, roles and mutual TLS on a real master. */
class SecurityTest {
  static final String ADMIN = "admin-token-0123456789abcdef";
  static final String USER = "user-token-0123456789abcdefgh";

  @TempDir
  Path dir;

  @Test
  void tokensAndRolesAreEnforced() throws Exception {
    Path tokens = dir.resolve("tokens");
    Files.writeString(tokens, "# test tokens\n" + ADMIN + " admin ops\n" + USER + " user alice\n");
    try (MasterFixture f = new MasterFixture(dir)
        .with("feitian.security.auth.enabled", true)
        .with("feitian.security.auth.tokens-file", tokens.toString())) {
      FuxiMaster m = f.startLeader();
      ManagedChannel ch = NettyChannelBuilder.forTarget(m.address()).usePlaintext().build();
      try {
        var anonymous = ClusterServiceGrpc.newBlockingStub(ch).withDeadlineAfter(10, TimeUnit.SECONDS);
        var wrong = anonymous.withCallCredentials(new BearerToken("not-a-real-token-at-all"));
        var user = anonymous.withCallCredentials(new BearerToken(USER));
        var admin = anonymous.withCallCredentials(new BearerToken(ADMIN));
        ListQuotasRequest list = ListQuotasRequest.getDefaultInstance();
        SetQuotaRequest set = SetQuotaRequest.newBuilder().setQuota(QuotaGroup.newBuilder().setName("g")).build();

        assertStatus(() -> anonymous.listQuotas(list), Status.Code.UNAUTHENTICATED, "missing bearer token");
        assertStatus(() -> wrong.listQuotas(list), Status.Code.UNAUTHENTICATED, "unknown bearer token");
        assertThat(user.listQuotas(list).getQuotasCount()).isEqualTo(1);
        assertStatus(() -> user.setQuota(set), Status.Code.PERMISSION_DENIED, "needs role admin", "alice");
        assertThat(user.listQuotas(list).getQuotasCount()).isEqualTo(1);
        assertThat(admin.setQuota(set).getName()).isEqualTo("g");
        // Registering a node is an admin (daemon) operation.
        assertStatus(() -> NodeServiceGrpc.newBlockingStub(ch).withCallCredentials(new BearerToken(USER))
            .register(node("n1").build()), Status.Code.PERMISSION_DENIED, "needs role admin");
        // Probes need no token.
        assertThat(HealthGrpc.newBlockingStub(ch).check(HealthCheckRequest.getDefaultInstance()).getStatus())
            .isEqualTo(HealthCheckResponse.ServingStatus.SERVING);
      } finally {
        ch.shutdownNow();
      }
    }
  }

  @Test
  void withMutualTlsOnlyPeersWithACertificateFromTheClusterCaCanRegister() throws Exception {
    Pki pki = new Pki(dir.resolve("pki"), "feitian-test-ca");
    Pki.Issued server = pki.issue("fuxi-master");
    Pki.Issued goodNode = pki.issue("node-good");
    Pki rogue = new Pki(dir.resolve("rogue"), "rogue-ca");
    Pki.Issued rogueNode = rogue.issue("node-rogue");
    try (MasterFixture f = new MasterFixture(dir)
        .with("feitian.security.tls.enabled", true)
        .with("feitian.security.tls.cert", server.cert().toString())
        .with("feitian.security.tls.key", server.key().toString())
        .with("feitian.security.tls.ca", pki.caPath().toString())
        .with("feitian.security.tls.client-auth", "require")) {
      FuxiMaster m = f.startLeader();

      ManagedChannel noCert = NettyChannelBuilder.forTarget(m.address())
          .sslContext(GrpcSslContexts.forClient().trustManager(pki.caPath().toFile()).build()).build();
      SslContextBuilder rogueCtx = GrpcSslContexts.forClient().trustManager(pki.caPath().toFile())
          .keyManager(rogueNode.cert().toFile(), rogueNode.key().toFile());
      ManagedChannel rogueCert = NettyChannelBuilder.forTarget(m.address()).sslContext(rogueCtx.build()).build();
      SslContextBuilder goodCtx = GrpcSslContexts.forClient().trustManager(pki.caPath().toFile())
          .keyManager(goodNode.cert().toFile(), goodNode.key().toFile());
      ManagedChannel good = NettyChannelBuilder.forTarget(m.address()).sslContext(goodCtx.build()).build();
      try {
        assertStatus(() -> NodeServiceGrpc.newBlockingStub(noCert).withDeadlineAfter(5, TimeUnit.SECONDS)
            .register(node("n-anon").build()), Status.Code.UNAVAILABLE);
        assertStatus(() -> NodeServiceGrpc.newBlockingStub(rogueCert).withDeadlineAfter(5, TimeUnit.SECONDS)
            .register(node("n-rogue").build()), Status.Code.UNAVAILABLE);
        long epoch = NodeServiceGrpc.newBlockingStub(good).withDeadlineAfter(5, TimeUnit.SECONDS)
            .register(node("n-good").build()).getEpoch();
        assertThat(epoch).isPositive();
        var nodes = ClusterServiceGrpc.newBlockingStub(good).withDeadlineAfter(5, TimeUnit.SECONDS)
            .getClusterStatus(io.feitian.proto.fuxi.v1.GetClusterStatusRequest.getDefaultInstance()).getNodesList();
        assertThat(nodes).extracting(n -> n.getNodeId()).containsExactly("n-good");
      } finally {
        noCert.shutdownNow();
        rogueCert.shutdownNow();
        good.shutdownNow();
      }
    }
  }
}
