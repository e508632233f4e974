package io.feitian.common.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import io.feitian.common.security.Pki;
import io.feitian.common.security.SecuritySettings;
import io.feitian.common.security.TlsSettings;
import io.feitian.common.security.TlsSettings.ClientAuthMode;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The probe against real gRPC servers with and without TLS, and against servers that are not there. */
class TlsProbeTest {
  static final Duration TIMEOUT = Duration.ofSeconds(2);

  @TempDir
  Path dir;

  private SecuritySettings tls(ClientAuthMode clientAuth) {
    Pki pki = new Pki(dir, "probe-ca");
    Pki.Issued server = pki.issue("server");
    return SecuritySettings.client(new TlsSettings(true, server.cert(), server.key(), pki.caPath(), clientAuth),
        Optional.empty());
  }

  @ParameterizedTest
  @EnumSource(value = ClientAuthMode.class, names = {"NONE", "REQUIRE"})
  void aTlsServerIsSeenAsTlsWhetherOrNotItWantsAClientCertificate(ClientAuthMode clientAuth) {
    try (GrpcServer server = GrpcServer.netty("127.0.0.1", 0, tls(clientAuth)).build().start()) {
      assertThat(TlsProbe.speaksTls("127.0.0.1:" + server.port(), TIMEOUT)).isTrue();
      assertThat(TlsProbe.speaksTls("localhost:" + server.port(), TIMEOUT)).isTrue();
    }
  }

  @Test
  void aPlaintextServerIsNot() {
    try (GrpcServer server = GrpcServer.netty("127.0.0.1", 0, SecuritySettings.INSECURE).build().start()) {
      assertThat(TlsProbe.speaksTls("127.0.0.1:" + server.port(), TIMEOUT)).isFalse();
    }
  }

  @Test
  void noServerOrASilentOneIsNot() throws Exception {
    int closed;
    try (ServerSocket s = new ServerSocket(0)) {
      closed = s.getLocalPort();
    }
    assertThat(TlsProbe.speaksTls("127.0.0.1:" + closed, TIMEOUT)).isFalse();
    // Accepts (the backlog does) but never answers: false once the timeout has passed.
    try (ServerSocket silent = new ServerSocket(0)) {
      long start = System.nanoTime();
      assertThat(TlsProbe.speaksTls("127.0.0.1:" + silent.getLocalPort(), Duration.ofMillis(300))).isFalse();
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
    }
  }
}
