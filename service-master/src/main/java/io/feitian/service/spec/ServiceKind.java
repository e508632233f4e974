package io.feitian.service.spec;

import com.google.protobuf.ByteString;
import io.feitian.common.app.AppKind;
import io.feitian.proto.common.v1.Resources;
import io.feitian.proto.fuxi.v1.LaunchSpec;
import io.feitian.proto.fuxi.v1.ThreadProgram;
import io.feitian.proto.service.v1.ServiceSpec;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Services as fuxi-master sees them: it checks the ServiceSpec at
 * submission and starts a service-master for each, from the node's
 * Feitian distribution.
 */
public final class ServiceKind implements AppKind {
  public static final String NAME = "service";
  static final String MASTER_CLASS = "io.feitian.service.master.ServiceMasterMain";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public Checked check(String field, ByteString description) {
    ServiceSpec spec = ServiceSpecs.fromBytes(field, description);
    new ServiceSpecValidator(field + ".").validate(spec);
    Map<String, Resources> shapes = new LinkedHashMap<>();
    for (int i = 0; i < spec.getRolesCount(); i++) {
      shapes.put(field + ".roles[" + i + "].resources", spec.getRoles(i).getResources());
    }
    return new Checked(Optional.of(spec.getName()), shapes);
  }

  @Override
  public LaunchSpec master() {
    return LaunchSpec.newBuilder().setName("service-master")
        .setThread(ThreadProgram.newBuilder().setMainClass(MASTER_CLASS)).build();
  }

  @Override
  public Resources masterResources() {
    return Resources.newBuilder().setCpuMillis(500).setMemoryMib(512).build();
  }
}
