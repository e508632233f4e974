package io.feitian.common.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Status;
import java.net.ConnectException;
import org.junit.jupiter.api.Test;

class StatusTextTest {
  @Test
  void oneLineWithTheCausesMessageAndNoStackTrace() {
    Status s = Status.UNAVAILABLE.withDescription("io exception")
        .withCause(new ConnectException("Connection refused: /127.0.0.1:7100"));
    assertThat(s.toString()).contains("\n"); // what this replaces
    assertThat(StatusText.brief(s)).isEqualTo("UNAVAILABLE: io exception (Connection refused: /127.0.0.1:7100)");
    assertThat(StatusText.brief(Status.NOT_FOUND)).isEqualTo("NOT_FOUND");
    assertThat(StatusText.brief(Status.INTERNAL.withDescription("boom").withCause(new RuntimeException("boom"))))
        .isEqualTo("INTERNAL: boom");
  }
}
