package io.feitian.service.state;

/**
 * Where a service lives in ZooKeeper, under the cluster's namespace:
 * {@code /services/<app_id>/state} (the ServiceState: wanted workers per role
 * and the partition table, written only by the service-master) and
 * {@code /services/<app_id>/workers/<worker_id>} (one ephemeral WorkerRecord
 * per live worker).
 */
public final class ServicePaths {
  private ServicePaths() {}

  public static String service(String appId) {
    return "/services/" + appId;
  }

  public static String state(String appId) {
    return service(appId) + "/state";
  }

  public static String workers(String appId) {
    return service(appId) + "/workers";
  }

  public static String worker(String appId, String workerId) {
    return workers(appId) + "/" + workerId;
  }
}
