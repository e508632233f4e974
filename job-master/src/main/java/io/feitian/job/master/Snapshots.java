package io.feitian.job.master;

import com.google.protobuf.InvalidProtocolBufferException;
import io.feitian.client.GrantRecords;
import io.feitian.proto.job.v1.InstanceCommit;
import io.feitian.proto.job.v1.JobCounts;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The tasks' snapshots: one small znode per committed instance,
 * {@code /jobs/<job>/done/<task>/<instance>} holding its {@link InstanceCommit}.
 * ZooKeeper because the records are small (a few hundred bytes each) and must
 * survive the job-master's node; one znode per instance so that recording a
 * commit is one create, however large the task. A restarted job-master reads
 * them and runs only the instances that are missing. Next to them, the tasks'
 * attempt figures ({@code /jobs/<job>/counts}), so that its status goes on counting.
 */
final class Snapshots {
  private static final Logger log = LoggerFactory.getLogger(Snapshots.class);

  private final CuratorFramework zk;
  private final String jobDir;
  private final String root;
  private final String countsPath;
  private final GrantRecords grants;

  Snapshots(CuratorFramework zk, String jobId) {
    this.zk = zk;
    this.jobDir = "/jobs/" + jobId;
    this.root = jobDir + "/done";
    this.countsPath = jobDir + "/counts";
    this.grants = new GrantRecords(zk, jobDir + "/grants");
  }

  /**
   * Records the tasks' attempt figures, in the background; a crash before it lands loses only
   * the counts since the last record.
   */
  void recordCounts(JobCounts counts) {
    try {
      zk.create().orSetData().creatingParentsIfNeeded().withMode(CreateMode.PERSISTENT)
          .inBackground((client, event) -> {
            if (event.getResultCode() != KeeperException.Code.OK.intValue()) {
              log.debug("attempt counts not recorded: {}", KeeperException.Code.get(event.getResultCode()));
            }
          })
          .forPath(countsPath, counts.toByteArray());
    } catch (Exception e) {
      log.debug("attempt counts not recorded: {}", e.toString());
    }
  }

  /** What the job's earlier masters recorded of their attempts; empty for a first master. */
  JobCounts loadCounts() throws Exception {
    try {
      return JobCounts.parseFrom(zk.getData().forPath(countsPath));
    } catch (KeeperException.NoNodeException none) {
      return JobCounts.getDefaultInstance();
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("corrupt attempt counts " + countsPath, e);
    }
  }

  /** The grants the job's masters hold, for a restarted one to claim with the Task Workers in them. */
  GrantRecords grants() {
    return grants;
  }

  /** Records a commit, asynchronously: a crash before it lands only means the instance runs again. */
  void record(String task, int instance, InstanceCommit commit) {
    try {
      zk.create().orSetData().creatingParentsIfNeeded().withMode(CreateMode.PERSISTENT)
          .inBackground((client, event) -> {
            if (event.getResultCode() != KeeperException.Code.OK.intValue()) {
              log.warn("snapshot of {}[{}] not recorded: {} (it will run again after a restart)", task, instance,
                  KeeperException.Code.get(event.getResultCode()));
            }
          })
          .forPath(root + "/" + task + "/" + instance, commit.toByteArray());
    } catch (Exception e) {
      log.warn("snapshot of {}[{}] not recorded: {}", task, instance, e.toString());
    }
  }

  /**
   * Drops an instance's record, in the background: its outputs were lost and
   * it runs again (a restarted master must not take the lost outputs as done).
   */
  void forget(String task, int instance) {
    try {
      zk.delete().quietly().inBackground().forPath(root + "/" + task + "/" + instance);
    } catch (Exception e) {
      log.warn("snapshot of {}[{}] not dropped: {} (a restarted master would find its outputs gone and rerun it)",
          task, instance, e.toString());
    }
  }

  /** Every recorded commit, by task and instance. */
  Map<String, Map<Integer, InstanceCommit>> load() throws Exception {
    zk.sync().forPath("/");
    Map<String, Map<Integer, InstanceCommit>> out = new HashMap<>();
    List<String> tasks;
    try {
      tasks = zk.getChildren().forPath(root);
    } catch (KeeperException.NoNodeException none) {
      return out;
    }
    for (String task : tasks) {
      Map<Integer, InstanceCommit> commits = new HashMap<>();
      for (String instance : zk.getChildren().forPath(root + "/" + task)) {
        byte[] data = zk.getData().forPath(root + "/" + task + "/" + instance);
        try {
          commits.put(Integer.parseInt(instance), InstanceCommit.parseFrom(data));
        } catch (NumberFormatException | InvalidProtocolBufferException e) {
          throw new IllegalStateException("corrupt snapshot record " + root + "/" + task + "/" + instance, e);
        }
      }
      out.put(task, commits);
    }
    return out;
  }

  /** The job has ended: its snapshot is no longer needed. */
  void delete() {
    try {
      zk.delete().deletingChildrenIfNeeded().inBackground().forPath(jobDir);
    } catch (Exception e) {
      log.warn("snapshot of the job not deleted: {}", e.toString());
    }
  }
}
