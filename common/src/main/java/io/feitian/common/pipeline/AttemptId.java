package io.feitian.common.pipeline;

/**
 * One attempt of one instance of an upstream task of an application: what
 * names the directory its pipeline outputs are committed to. Every field is
 * checked here, so a value of this type can always be turned into a path
 * under the store root.
 */
public record AttemptId(String appId, String task, int instance, int attempt) {

  public AttemptId {
    PipelineLayout.checkAppId(appId);
    PipelineLayout.checkName("task", task);
    PipelineLayout.checkIndex("instance", instance);
    PipelineLayout.checkIndex("attempt", attempt);
  }

  /** {@code <instance>-<attempt>}: the committed directory's name. */
  String directoryName() {
    return instance + "-" + attempt;
  }

  @Override
  public String toString() {
    return appId + "/" + task + "/" + directoryName();
  }
}
