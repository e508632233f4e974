package io.feitian.dayu.descriptor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class DescriptorParserTest {
  private static final String FULL = """
      name = sample
      version = "1.2.0-rc.1"
      roles = [web, api]
      dependencies = ["fuxi-master >= 0.1 < 0.2", "shennong-agent"]
      parameters {
        port { type = int, default = 8080 }
        verbose { type = bool, default = false }
        timeout { type = duration, default = 2m }
        upstream { type = host-port, description = "where requests go" }
        motd { type = string, default = hello }
      }
      deploy = [fetch, verify, install, configure, start, health-check]
      upgrade = [fetch, verify, {step = drain, timeout = 1m}, {step = stop, grace = 10s}, install, configure, start,
        {step = health-check, timeout = 30s, interval = 500ms}]
      templates = [
        { path = "conf/sample.conf", text = "port = {{port}}\\nupstream = {{upstream}}\\nnode = {{node.id}}\\n" }
      ]
      health-check { type = http, url = "http://127.0.0.1:{{port}}/healthz" }
      run {
        command = ["{{module.home}}/bin/sample", "--port", "{{port}}"]
        environment { SAMPLE_TIMEOUT = "{{timeout}}" }
        systemd-unit = sample.service
      }
      """;

  @Test
  void readsEveryPart() {
    ModuleDescriptor d = DescriptorParser.parse(FULL, "sample.conf");
    assertThat(d.id()).isEqualTo("sample 1.2.0-rc.1");
    assertThat(d.roles()).containsExactlyInAnyOrder("web", "api");
    assertThat(d.dependencies()).extracting(Dependency::toString)
        .containsExactly("fuxi-master >= 0.1.0 < 0.2.0", "shennong-agent *");
    assertThat(d.parameters().get("timeout").defaultValue()).contains("120000ms");
    assertThat(d.parameters().get("upstream").defaultValue()).isEmpty();
    assertThat(d.deploy()).extracting(s -> s.kind().word())
        .containsExactly("fetch", "verify", "install", "configure", "start", "health-check");
    Step drain = d.upgrade().get(2);
    assertThat(drain.kind()).isEqualTo(StepKind.DRAIN);
    assertThat(drain.millis("timeout")).isEqualTo(60_000);
    assertThat(d.upgrade().get(3).millis("grace")).isEqualTo(10_000);
    assertThat(d.upgrade().get(7).millis("interval")).isEqualTo(500);
    assertThat(d.deploy().get(2).number("keep")).isEqualTo(3);
    assertThat(d.remove()).extracting(Step::kind).containsExactly(StepKind.STOP);
    assertThat(d.healthCheck()).isEqualTo(new HealthCheck.Http("http://127.0.0.1:{{port}}/healthz", 200));
    assertThat(d.run().systemdUnit()).contains("sample.service");
    assertThat(d.templates().get(0).render(Map.of("port", "8080", "upstream", "b:9", "node.id", "n1")))
        .isEqualTo("port = 8080\nupstream = b:9\nnode = n1\n");
  }

  @Test
  void readsEveryKindOfHealthCheck() {
    String base = Descriptors.minimal("m", "0.1.0", List.of("r")).replaceAll("health-check \\{.*}\\n", "");
    assertThat(parse(base + "health-check { type = grpc, address = \"127.0.0.1:7100\", service = x }").healthCheck())
        .isEqualTo(new HealthCheck.Grpc("127.0.0.1:7100", "x"));
    assertThat(parse(base + "health-check { type = command, command = [check, \"--quick\"] }").healthCheck())
        .isEqualTo(new HealthCheck.Command(List.of("check", "--quick")));
    HealthCheck.ShennongSeries s = (HealthCheck.ShennongSeries)
        parse(base + "health-check { type = shennong, series = up, condition = \">= 1\", window = 1m }").healthCheck();
    assertThat(s).isEqualTo(new HealthCheck.ShennongSeries("up", ">=", 1, 60_000));
    assertThat(s.holds(1)).isTrue();
    assertThat(s.holds(0.5)).isFalse();
  }

  @Test
  void namesFileLineAndFieldOfAMissingField() {
    String text = FULL.replace("name = sample\n", "");
    assertThatThrownBy(() -> parse(text)).isInstanceOfSatisfying(DescriptorException.class, e -> {
      assertThat(e.file()).isEqualTo("test.conf");
      assertThat(e.field()).isEqualTo("name");
      assertThat(e).hasMessageStartingWith("test.conf:1: name is missing");
    });
    assertThatThrownBy(() -> parse(FULL.replaceAll("health-check \\{ type = http.*\\n", "")))
        .hasMessageContaining("health-check is missing");
    assertThatThrownBy(() -> parse(FULL.replace("command = [\"{{module.home}}/bin/sample\", \"--port\", \"{{port}}\"]", "")))
        .hasMessageContaining("run.command is missing");
  }

  @Test
  void refusesAnUnknownStepOnItsLine() {
    String text = FULL.replace("deploy = [fetch, verify,", "deploy = [fetch, restart,");
    assertThatThrownBy(() -> parse(text)).isInstanceOfSatisfying(DescriptorException.class, e -> {
      assertThat(e.line()).isEqualTo(12);
      assertThat(e.field()).isEqualTo("deploy[1]");
      assertThat(e).hasMessageContaining("is not a step: \"restart\"").hasMessageContaining("health-check, drain");
    });
    assertThatThrownBy(() -> parse(FULL.replace("{step = stop, grace = 10s}", "{step = stop, timeout = 10s}")))
        .hasMessageContaining("upgrade[3].timeout is not a known field (known here: grace, step)");
    assertThatThrownBy(() -> parse(FULL.replace("grace = 10s", "grace = soon")))
        .hasMessageContaining(":13: upgrade[3].grace must be a duration");
  }

  @Test
  void refusesBadVersionsAndRanges() {
    assertThatThrownBy(() -> parse(FULL.replace("\"1.2.0-rc.1\"", "\"1.2\"")))
        .hasMessageStartingWith("test.conf:2: version is not a semantic version");
    assertThatThrownBy(() -> parse(FULL.replace(">= 0.1 < 0.2", ">= 0.3 < 0.2")))
        .hasMessageStartingWith("test.conf:4: dependencies[0] is a version range no version satisfies");
    assertThatThrownBy(() -> parse(FULL.replace(">= 0.1 < 0.2", "=> 0.1")))
        .hasMessageContaining("dependencies[0] is not a version range");
    assertThatThrownBy(() -> parse(FULL.replace("\"shennong-agent\"", "\"fuxi-master\"")))
        .hasMessageContaining("dependencies[1] names fuxi-master a second time");
  }

  @Test
  void refusesAParameterOfTheWrongType() {
    assertThatThrownBy(() -> parse(FULL.replace("default = 8080", "default = eighty")))
        .hasMessageStartingWith("test.conf:6: parameters.port.default must be a whole number (type int), got \"eighty\"");
    assertThatThrownBy(() -> parse(FULL.replace("default = false", "default = maybe")))
        .hasMessageContaining("parameters.verbose.default must be true or false");
    assertThatThrownBy(() -> parse(FULL.replace("type = host-port", "type = hostport")))
        .hasMessageContaining("parameters.upstream.type is not a parameter type");
    assertThatThrownBy(() -> parse(FULL.replace("upstream { type = host-port,", "upstream { type = host-port, default = \"nohost\",")))
        .hasMessageContaining("must be host:port");
  }

  @Test
  void refusesUnknownFieldsAndPlaceholders() {
    assertThatThrownBy(() -> parse(FULL + "\nrole = [x]\n")).hasMessageContaining("role is not a known field");
    assertThatThrownBy(() -> parse(FULL.replace("{{upstream}}", "{{upstreams}}")))
        .hasMessageContaining("templates[0].text uses {{upstreams}}, which is neither a parameter");
    assertThatThrownBy(() -> parse(FULL.replace("\"conf/sample.conf\"", "\"../etc/passwd\"")))
        .hasMessageContaining("templates[0].path must be a relative path");
    assertThatThrownBy(() -> parse(FULL.replace("type = http,", "type = ping,"))).hasMessageContaining(
        "health-check.type must be command, grpc, http or shennong");
    assertThatThrownBy(() -> parse("name = [")).hasMessageStartingWith("test.conf:1: (syntax)");
  }

  @Test
  void parameterValuesAreCheckedByTheirType() {
    assertThat(ParamType.DURATION.normalize("1h")).isEqualTo("3600000ms");
    assertThat(ParamType.HOST_PORT.normalize("[::1]:7100")).isEqualTo("[::1]:7100");
    assertThat(ParamType.BOOL.normalize("TRUE")).isEqualTo("true");
    assertThatThrownBy(() -> ParamType.HOST_PORT.normalize("h:99999")).hasMessageContaining("host:port");
    assertThatThrownBy(() -> ParamType.INT.normalize("1.5")).hasMessageContaining("whole number");
    assertThat(new Parameter("p", ParamType.INT, Optional.of(" 7 "), "").defaultValue()).contains("7");
  }

  private static ModuleDescriptor parse(String text) {
    return DescriptorParser.parse(text, "test.conf");
  }
}
