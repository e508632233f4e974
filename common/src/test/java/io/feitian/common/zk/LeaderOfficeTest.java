package io.feitian.common.zk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.feitian.common.grpc.GrpcServer;
import io.feitian.common.grpc.LeaderHint;
import io.feitian.common.security.SecuritySettings;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class LeaderOfficeTest {
  /** A term that knows whether it was closed. */
  static final class Term implements AutoCloseable {
    boolean closed;

    @Override
    public void close() {
      closed = true;
    }
  }

  @Test
  void aStandbyNamesTheLeaderAndATermIsClosedWhenTheNextIsTakenOrTheOfficeLeft() {
    try (GrpcServer server = GrpcServer.netty("127.0.0.1", 0, SecuritySettings.INSECURE).build().start()) {
      LeaderOffice<Term> office = new LeaderOffice<>(server,
          () -> LeaderHint.notLeader(Optional.of("10.0.0.1:7330"), "10.0.0.2:7330"));
      assertThatThrownBy(office::require).isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
        assertThat(e.getStatus().getDescription()).contains("leader=10.0.0.1:7330");
      });

      Term first = new Term();
      office.take("first", () -> first);
      assertThat(office.require()).isSameAs(first);
      Term second = new Term();
      office.take("second", () -> {
        assertThat(first.closed).as("the previous term is closed before the next begins").isTrue();
        return second;
      });
      assertThat(office.current()).containsSame(second);

      office.take("none", () -> null);
      assertThat(second.closed).isTrue();
      assertThat(office.current()).isEmpty();

      Term third = new Term();
      office.take("third", () -> third);
      office.leave();
      assertThat(third.closed).isTrue();
      assertThatThrownBy(office::require).isInstanceOf(StatusRuntimeException.class);
    }
  }
}
