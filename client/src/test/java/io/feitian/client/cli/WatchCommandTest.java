package io.feitian.client.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.feitian.proto.shennong.v1.Operation;
import io.feitian.proto.shennong.v1.SubscribeRequest;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** What `feitian watch` asks Shennong for, and its usage errors; the stream itself is tested in CliIT. */
class WatchCommandTest {
  private static WatchCommand parse(String... args) {
    WatchCommand w = new WatchCommand();
    new CommandLine(w).parseArgs(args);
    return w;
  }

  @Test
  void optionsBecomeTheSubscription() {
    SubscribeRequest r = parse("node.cpu.utilization", "--op", "quantile", "-q", "0.5,0.99", "--window", "30s",
        "--step", "500ms", "--by", "node,rack").request();
    assertThat(r.getOperation()).isEqualTo(Operation.OPERATION_QUANTILE);
    assertThat(r.getQuantilesList()).containsExactly(0.5, 0.99);
    assertThat(r.getWindowMs()).isEqualTo(30_000);
    assertThat(r.getStepMs()).isEqualTo(500);
    assertThat(r.getGroupByList()).containsExactly("node", "rack");
    SubscribeRequest raw = parse("x", "--op", "RAW").request();
    assertThat(raw.getWindowMs()).as("RAW has no window").isZero();
  }

  @Test
  void badOptionsNameTheProblem() {
    assertThatThrownBy(() -> parse("x", "--op", "median").request())
        .hasMessage("--op must be one of raw, sum, avg, min, max, count, rate, quantile; got median");
    assertThatThrownBy(() -> parse("x", "--window", "10 parsecs"))
        .isInstanceOf(CommandLine.ParameterException.class).hasMessageContaining("'10 parsecs' is not a duration");
    assertThat(FeitianCli.run("watch", "x", "--op", "median")).isEqualTo(2);
  }
}
