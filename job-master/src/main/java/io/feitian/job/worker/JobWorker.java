package io.feitian.job.worker;

import io.feitian.proto.job.v1.Assignment;
import io.feitian.proto.job.v1.InstanceResult;
import io.feitian.proto.job.v1.JobWorkerServiceGrpc;
import io.feitian.proto.job.v1.Ready;
import io.feitian.proto.job.v1.WorkerCommand;
import io.feitian.proto.job.v1.WorkerHello;
import io.feitian.proto.job.v1.WorkerMessage;
import io.grpc.Channel;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Task Worker's conversation with its job-master: hello, then one Ready
 * per free slot; each assignment runs in a slot and its result goes back
 * with a new Ready. Ends when the master says stop, or its stream breaks
 * (a worker without its master has nothing to do).
 */
final class JobWorker {
  private static final Logger log = LoggerFactory.getLogger(JobWorker.class);

  private final WorkerHello hello;
  private final InstanceRunner runner;
  private final ExecutorService slots;
  private final Map<String, Future<?>> running = new ConcurrentHashMap<>();
  /** The programs of running process-mode attempts, to kill on cancel. */
  private final Map<String, Process> programs = new ConcurrentHashMap<>();
  private final CountDownLatch ended = new CountDownLatch(1);
  private volatile Status endStatus = Status.OK;
  private StreamObserver<WorkerMessage> out;

  JobWorker(WorkerHello hello, InstanceRunner runner) {
    this.hello = hello;
    this.runner = runner;
    this.slots = Executors.newFixedThreadPool(hello.getSlots(), r -> {
      Thread t = new Thread(r, "instance-slot");
      t.setDaemon(true);
      return t;
    });
  }

  /** Runs until the master stops this worker or goes away; returns how it ended. */
  Status run(Channel master) throws InterruptedException {
    out = JobWorkerServiceGrpc.newStub(master).work(new Commands());
    send(WorkerMessage.newBuilder().setHello(hello).build());
    for (int i = 0; i < hello.getSlots(); i++) {
      send(WorkerMessage.newBuilder().setReady(Ready.getDefaultInstance()).build());
    }
    ended.await();
    // Running attempts are cancelled before the JVM exits: threads interrupted, and every process
    // this worker started killed (a thread blocked reading a program's output wakes up when it dies).
    slots.shutdownNow();
    ProcessHandle.current().descendants().forEach(ProcessHandle::destroyForcibly);
    if (!slots.awaitTermination(10, java.util.concurrent.TimeUnit.SECONDS)) {
      log.warn("attempts still running after 10 s; exiting anyway");
    }
    return endStatus;
  }

  private synchronized void send(WorkerMessage m) {
    try {
      out.onNext(m);
    } catch (RuntimeException e) {
      log.warn("cannot reach the job-master: {}", e.toString());
    }
  }

  /**
   * Runs an assignment in a free slot (the master assigns only as many as
   * there are slots, so it never waits). Its result and a Ready go back when
   * it ends, also when cancelled.
   */
  private void start(Assignment a) {
    String key = a.getInstance() + "/" + a.getAttempt();
    running.put(key, slots.submit(() -> {
      log.info("{}[{}] attempt {} starting", a.getTask(), a.getInstance(), a.getAttempt());
      InstanceResult r = runner.run(a, p -> programs.put(key, p));
      running.remove(key);
      programs.remove(key);
      log.info("{}[{}] attempt {} {} ({} records in, {} out){}", a.getTask(), a.getInstance(), a.getAttempt(),
          r.getSucceeded() ? "succeeded" : "failed", r.getRecordsIn(), r.getRecordsOut(),
          r.getSucceeded() ? "" : ": " + r.getMessage());
      send(WorkerMessage.newBuilder().setResult(r).build());
      send(WorkerMessage.newBuilder().setReady(Ready.getDefaultInstance()).build());
    }));
  }

  private final class Commands implements StreamObserver<WorkerCommand> {
    @Override
    public void onNext(WorkerCommand c) {
      switch (c.getKindCase()) {
        case ASSIGN -> start(c.getAssign());
        case CANCEL -> {
          String key = c.getCancel().getInstance() + "/" + c.getCancel().getAttempt();
          log.info("attempt {} cancelled by the job-master: another attempt of the instance won", key);
          Future<?> f = running.get(key);
          if (f != null) {
            f.cancel(true);
          }
          Process p = programs.get(key);
          if (p != null) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
          }
        }
        case STOP -> {
          log.info("stopped by the job-master: {}", c.getStop().getReason());
          synchronized (JobWorker.this) {
            out.onCompleted();
          }
          ended.countDown();
        }
        default -> log.warn("unknown command {}", c.getKindCase());
      }
    }

    @Override
    public void onError(Throwable t) {
      endStatus = Status.fromThrowable(t);
      log.warn("job-master stream ended: {}", endStatus);
      ended.countDown();
    }

    @Override
    public void onCompleted() {
      ended.countDown();
    }
  }
}
