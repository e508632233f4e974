package io.feitian.common.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.feitian.common.grpc.Echo;
import io.feitian.common.resource.ResourceProtos;
import io.feitian.proto.common.v1.Resources;
import io.feitian.proto.fuxi.v1.LaunchSpec;
import io.feitian.proto.fuxi.v1.ProcessProgram;
import org.junit.jupiter.api.Test;

class FieldChecksTest {
  final FieldChecks checks = new FieldChecks("spec.");

  @Test
  void aLaunchNamesTheStringTooLongAndTheLimit() {
    LaunchSpec ok = LaunchSpec.newBuilder().setProcess(ProcessProgram.newBuilder().addArgv("sleep").addArgv("1"))
        .putEnv("SMALL", "x".repeat(FieldChecks.MAX_LAUNCH_STRING_BYTES)).build();
    assertThatCode(() -> checks.launch("master", ok)).doesNotThrowAnyException();
    assertThatThrownBy(() -> checks.launch("master", ok.toBuilder().putEnv("BIG", "x".repeat(2 << 20)).build()))
        .hasMessage("spec.master.env['BIG'] is 2097152 bytes; at most 32768 are allowed");
    assertThatThrownBy(() -> checks.launch("master", ok.toBuilder().setProcess(ProcessProgram.newBuilder()
        .addArgv("sh").addArgv("é".repeat(20_000))).build()))
        .hasMessage("spec.master.process.argv[1] is 40000 bytes; at most 32768 are allowed");
    LaunchSpec.Builder many = ok.toBuilder();
    for (int i = 0; i < 5; i++) {
      many.putEnv("V" + i, "x".repeat(30_000));
    }
    assertThatThrownBy(() -> checks.launch("master", many.build()))
        .hasMessageStartingWith("spec.master is ").hasMessageEndingWith("at most 131072 are allowed");
  }

  @Test
  void echoedValuesAreCut() {
    assertThat(Echo.quote("app-1")).isEqualTo("'app-1'");
    assertThat(Echo.quote("x".repeat(16384))).isEqualTo("'" + "x".repeat(64) + "…' (16384 chars)");
    assertThatThrownBy(() -> checks.matches("name", "y".repeat(100_000), java.util.regex.Pattern.compile("[a-z]{1,8}")))
        .message().hasSizeLessThan(200).endsWith("(100000 chars)");
  }

  @Test
  void resourceAmountsAreBounded() {
    assertThatThrownBy(() -> ResourceProtos.fromProto("quota.min",
        Resources.newBuilder().setCpuMillis(1_000_000_000_000_000_000L).build()))
        .hasMessage("quota.min.cpu_millis must be between 0 and 1099511627776 (2^40), got 1000000000000000000");
    assertThat(ResourceProtos.fromProto("q", Resources.newBuilder().setMemoryMib(ResourceProtos.MAX_AMOUNT).build())
        .memoryMib()).isEqualTo(ResourceProtos.MAX_AMOUNT);
  }
}
