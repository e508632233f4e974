package io.feitian.job.cli;

import io.feitian.client.FeitianClient;
import io.feitian.client.cli.ClusterCommandBase;
import io.feitian.client.cli.Printer;
import io.feitian.job.client.JobClient;
import io.feitian.proto.job.v1.GetLogsResponse;
import io.feitian.proto.job.v1.InstanceLog;
import io.feitian.proto.job.v1.JobState;
import io.feitian.proto.job.v1.JobStatus;
import io.feitian.proto.job.v1.TaskStatus;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** `feitian job ...`: offline jobs. Exit codes of submit --wait and wait follow the job: 0 succeeded, 1 otherwise. */
@Command(name = "job", description = "Offline jobs: DAGs of tasks (see docs/JOBS.md).",
    subcommands = {JobCommand.Submit.class, JobCommand.StatusCommand.class, JobCommand.Wait.class,
        JobCommand.Kill.class, JobCommand.ListJobs.class, JobCommand.Logs.class})
public final class JobCommand {
  JobCommand() {}

  static String state(JobState s) {
    return s.name().replace("JOB_STATE_", "");
  }

  /** Per task: a bar of done instances (in a terminal), and the counts. */
  static void human(PrintWriter out, JobStatus s, boolean bars) {
    out.println("job:     " + s.getJobId() + " (" + s.getName() + ")");
    out.println("state:   " + state(s.getState()) + (s.getMessage().isEmpty() ? "" : " - " + s.getMessage()));
    if (!s.getOutputDir().isEmpty()) {
      out.println("output:  " + s.getOutputDir());
    }
    List<List<String>> rows = new ArrayList<>();
    for (TaskStatus t : s.getTasksList()) {
      List<String> row = new ArrayList<>(List.of(t.getName(), t.getState().name().replace("TASK_STATE_", ""),
          Integer.toString(t.getInstances()), Integer.toString(t.getPending()), Integer.toString(t.getRunning()),
          Integer.toString(t.getDone()), Integer.toString(t.getFailed()), Integer.toString(t.getWorkers())));
      if (bars) {
        row.add(Printer.bar(t.getDone(), t.getInstances()));
      }
      rows.add(row);
    }
    List<String> header = new ArrayList<>(List.of("TASK", "STATE", "INSTANCES", "PENDING", "RUNNING", "DONE",
        "FAILED", "WORKERS"));
    if (bars) {
      header.add("PROGRESS");
    }
    Printer.table(out, header, rows);
    if (s.hasFailure()) {
      out.println("failed instance " + s.getFailure().getTask() + "[" + s.getFailure().getInstance() + "] on "
          + s.getFailure().getNodeId() + ", end of its log:");
      out.println(s.getFailure().getText());
    }
  }

  static boolean terminal() {
    return System.console() != null;
  }

  /** Follows a job to its end, redrawing its status in a terminal or printing state changes otherwise. */
  abstract static class Following extends ClusterCommandBase {
    private JobStatus last;

    JobStatus follow(JobClient jobs, String jobId) throws InterruptedException {
      boolean tty = terminal() && !json();
      last = jobs.watch(jobId, s -> {
        if (tty) {
          out().print("\033[H\033[2J");
          human(out(), s, true);
          out().flush();
        } else if (!json() && (last == null || last.getState() != s.getState())) {
          out().println(s.getJobId() + " " + state(s.getState()));
          out().flush();
        }
        last = s;
      });
      return last;
    }

    @Override
    protected int exitCode() {
      return last == null || last.getState() == JobState.JOB_STATE_SUCCEEDED ? 0 : 1;
    }
  }

  @Command(name = "submit", description = "Submit a job description file; prints the job id.")
  static final class Submit extends Following {
    @Parameters(paramLabel = "FILE", description = "The job description (JSON).")
    Path file;

    @Option(names = "--wait", description = "Follow the job to its end; exit 0 only if it succeeds.")
    boolean await;

    @Override
    protected void run(FeitianClient client) throws Exception {
      JobClient jobs = new JobClient(client);
      String id = jobs.submit(file);
      if (!await) {
        out().println(json() ? "{\"job_id\": \"" + id + "\"}" : id);
        return;
      }
      if (!json()) {
        out().println(id);
      }
      JobStatus end = follow(jobs, id);
      print(end, out -> human(out, end, false));
    }
  }

  @Command(name = "status", description = "A job's state and, per task, its instances.")
  static final class StatusCommand extends ClusterCommandBase {
    @Parameters(paramLabel = "JOB")
    String jobId;

    @Override
    protected void run(FeitianClient client) {
      JobStatus s = new JobClient(client).status(jobId);
      print(s, out -> human(out, s, terminal()));
    }
  }

  @Command(name = "wait", description = "Wait for a job to end; exit 0 only if it succeeded.")
  static final class Wait extends Following {
    @Parameters(paramLabel = "JOB")
    String jobId;

    @Override
    protected void run(FeitianClient client) throws Exception {
      JobStatus end = follow(new JobClient(client), jobId);
      print(end, out -> human(out, end, false));
    }
  }

  @Command(name = "kill", description = "Kill a job.")
  static final class Kill extends ClusterCommandBase {
    @Parameters(paramLabel = "JOB")
    String jobId;

    @Option(names = "--reason", description = "Recorded as the job's message.")
    String reason = "killed from the CLI";

    @Override
    protected void run(FeitianClient client) {
      JobStatus s = new JobClient(client).kill(jobId, reason);
      print(s, out -> out.println(s.getJobId() + " " + state(s.getState())));
    }
  }

  @Command(name = "list", description = "Jobs (--all: ended ones too).")
  static final class ListJobs extends ClusterCommandBase {
    @Option(names = "--all", description = "Include ended jobs.")
    boolean all;

    @Override
    protected void run(FeitianClient client) {
      List<JobStatus> jobs = new JobClient(client).list(all);
      if (json()) {
        out().print("[");
        for (int i = 0; i < jobs.size(); i++) {
          out().print(i == 0 ? "" : ",");
          Printer.json(out(), jobs.get(i));
        }
        out().println("]");
        return;
      }
      List<List<String>> rows = new ArrayList<>();
      for (JobStatus j : jobs) {
        rows.add(List.of(j.getJobId(), j.getName(), state(j.getState()), j.getMessage()));
      }
      Printer.table(out(), List.of("JOB", "NAME", "STATE", "MESSAGE"), rows);
    }
  }

  @Command(name = "logs", description = "The end of instances' logs: failed ones, a task's, or one instance's.")
  static final class Logs extends ClusterCommandBase {
    @Parameters(index = "0", paramLabel = "JOB")
    String jobId;

    @Parameters(index = "1", arity = "0..1", paramLabel = "TASK")
    String task = "";

    @Parameters(index = "2", arity = "0..1", paramLabel = "INSTANCE")
    Integer instance;

    @Override
    protected void run(FeitianClient client) throws java.io.IOException {
      List<InstanceLog> logs = new JobClient(client).logs(jobId, task, instance == null ? -1 : instance);
      print(GetLogsResponse.newBuilder().addAllLogs(logs).build(), out -> {
        if (logs.isEmpty()) {
          out.println("no logs" + (task.isEmpty() ? " of failed instances" : ""));
        }
        for (InstanceLog l : logs) {
          out.println("==> " + l.getTask() + "[" + l.getInstance() + "] attempt " + l.getAttempt() + " on "
              + l.getNodeId() + " <==");
          out.println(l.getText());
        }
      });
    }
  }
}
