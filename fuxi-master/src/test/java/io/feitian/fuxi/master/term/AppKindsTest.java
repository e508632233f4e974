package io.feitian.fuxi.master.term;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.feitian.common.app.AppKind;
import io.feitian.proto.common.v1.Resources;
import io.feitian.proto.fuxi.v1.AppSpec;
import io.feitian.proto.fuxi.v1.LaunchSpec;
import io.feitian.proto.fuxi.v1.ProcessProgram;
import io.feitian.proto.fuxi.v1.ThreadProgram;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class AppKindsTest {
  /** Accepts descriptions that say "ok", which name the application "a". */
  static final AppKind OK_KIND = new AppKind() {
    @Override
    public String name() {
      return "test";
    }

    @Override
    public Checked check(String field, ByteString description) {
      if (!description.toStringUtf8().equals("ok")) {
        throw new IllegalArgumentException(field + " must say ok");
      }
      return new Checked(Optional.of("a"), java.util.Map.of());
    }

    @Override
    public LaunchSpec master() {
      return LaunchSpec.newBuilder().setName("test-master")
          .setThread(ThreadProgram.newBuilder().setMainClass("x.Main")).build();
    }

    @Override
    public Resources masterResources() {
      return Resources.newBuilder().setCpuMillis(500).setMemoryMib(256).build();
    }
  };

  final AppKinds kinds = AppKinds.of(OK_KIND);

  private AppSpec complete(AppSpec spec) {
    return kinds.complete(spec, shape -> true);
  }

  @Test
  void aKindSuppliesTheMasterAndItsResources() {
    AppSpec done = complete(AppSpec.newBuilder().setName("a").setKind("test")
        .setDescription(ByteString.copyFromUtf8("ok")).build());
    assertThat(done.getMaster().getName()).isEqualTo("test-master");
    assertThat(done.getMasterResources().getCpuMillis()).isEqualTo(500);
  }

  @Test
  void whatTheSubmitterSetIsKept() {
    LaunchSpec own = LaunchSpec.newBuilder().setProcess(ProcessProgram.newBuilder().addArgv("my-master")).build();
    Resources big = Resources.newBuilder().setCpuMillis(4000).setMemoryMib(4096).build();
    AppSpec done = complete(AppSpec.newBuilder().setName("a").setKind("test").setMaster(own)
        .setMasterResources(big).setDescription(ByteString.copyFromUtf8("ok")).build());
    assertThat(done.getMaster()).isEqualTo(own);
    assertThat(done.getMasterResources()).isEqualTo(big);
  }

  @Test
  void anApplicationNamedOtherwiseThanItsDescriptionIsRefusedNamingBoth() {
    assertThatThrownBy(() -> complete(AppSpec.newBuilder().setName("b").setKind("test")
        .setDescription(ByteString.copyFromUtf8("ok")).build()))
        .hasMessage("spec.name 'b' differs from spec.description.name 'a'; they must be the same");
  }

  @Test
  void badDescriptionsAndUnknownKindsAreRefusedByField() {
    assertThatThrownBy(() -> complete(AppSpec.newBuilder().setKind("test")
        .setDescription(ByteString.copyFromUtf8("nope")).build()))
        .hasMessage("spec.description must say ok");
    assertThatThrownBy(() -> complete(AppSpec.newBuilder().setKind("job").build()))
        .hasMessageStartingWith("spec.kind 'job' is not known").hasMessageContaining("known: test");
    assertThatThrownBy(() -> complete(AppSpec.newBuilder()
        .setDescription(ByteString.copyFrom(new byte[AppKinds.MAX_DESCRIPTION_BYTES + 1])).build()))
        .hasMessageStartingWith("spec.description is 262145 bytes");
  }

  @Test
  void aShapeNoNodeCouldHoldIsRefused() {
    AppKind greedy = new AppKind() {
      @Override
      public String name() {
        return "greedy";
      }

      @Override
      public Checked check(String field, ByteString description) {
        return new Checked(Optional.empty(), java.util.Map.of(field + ".tasks[0].resources",
            Resources.newBuilder().setCpuMillis(64_000).setMemoryMib(1).build()));
      }

      @Override
      public LaunchSpec master() {
        return OK_KIND.master();
      }

      @Override
      public Resources masterResources() {
        return OK_KIND.masterResources();
      }
    };
    AppSpec spec = AppSpec.newBuilder().setName("g").setKind("greedy").build();
    assertThatThrownBy(() -> AppKinds.of(greedy).complete(spec, shape -> shape.cpuMillis() <= 16_000))
        .hasMessageStartingWith("spec.description.tasks[0].resources").hasMessageContaining("exceeds the largest node");
    assertThat(AppKinds.of(greedy).complete(spec, shape -> true).getKind()).isEqualTo("greedy");
  }

  @Test
  void twoKindsWithOneNameAreAnError() {
    assertThatThrownBy(() -> AppKinds.of(OK_KIND, OK_KIND)).hasMessageContaining("'test'");
  }
}
