package io.feitian.job.spec;

import com.google.protobuf.ByteString;
import io.feitian.common.app.AppKind;
import io.feitian.proto.common.v1.Resources;
import io.feitian.proto.fuxi.v1.LaunchSpec;
import io.feitian.proto.fuxi.v1.ThreadProgram;
import io.feitian.proto.job.v1.JobSpec;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Jobs as fuxi-master sees them: it checks the JobSpec at submission and
 * starts a job-master for each, from the node's Feitian distribution.
 */
public final class JobKind implements AppKind {
  public static final String NAME = "job";
  static final String MASTER_CLASS = "io.feitian.job.master.JobMasterMain";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public Checked check(String field, ByteString description) {
    JobSpec spec = JobSpecs.fromBytes(field, description);
    new JobSpecValidator(field + ".").validate(spec);
    Map<String, Resources> shapes = new LinkedHashMap<>();
    for (int i = 0; i < spec.getTasksCount(); i++) {
      shapes.put(field + ".tasks[" + i + "].resources", spec.getTasks(i).getResources());
    }
    return new Checked(Optional.of(spec.getName()), shapes);
  }

  @Override
  public LaunchSpec master() {
    return LaunchSpec.newBuilder().setName("job-master")
        .setThread(ThreadProgram.newBuilder().setMainClass(MASTER_CLASS)).build();
  }

  @Override
  public Resources masterResources() {
    return Resources.newBuilder().setCpuMillis(1000).setMemoryMib(768).build();
  }
}
