package io.feitian.it;

import java.util.ArrayList;
import java.util.List;

/** A thread program for tests: runs its arguments' count of instances in threads of one JVM. */
public final class ThreadProgramMain {
  private ThreadProgramMain() {}

  public static void main(String[] args) throws InterruptedException {
    int instances = Integer.parseInt(args[0]);
    List<Thread> threads = new ArrayList<>();
    for (int i = 0; i < instances; i++) {
      int n = i;
      Thread t = new Thread(() -> System.out.println("instance " + n + " in " + ProcessHandle.current().pid()));
      threads.add(t);
      t.start();
    }
    for (Thread t : threads) {
      t.join();
    }
    System.out.println("max heap MiB " + Runtime.getRuntime().maxMemory() / (1024 * 1024));
  }
}
