package io.feitian.shennong.inspector;

import java.util.ArrayList;
import java.util.List;

/**
 * A child process with known figures for the inspector's tests: one thread spinning (one core
 * busy), {@code args[0]} more threads sleeping, and 64 MiB of heap touched so that it is resident.
 * Prints "ready" when all are running.
 */
public final class BusyChild {
  private BusyChild() {}

  public static void main(String[] args) throws InterruptedException {
    byte[] resident = new byte[64 << 20];
    for (int i = 0; i < resident.length; i += 4096) {
      resident[i] = 1;
    }
    List<Thread> threads = new ArrayList<>();
    for (int i = 0; i < Integer.parseInt(args[0]); i++) {
      Thread t = new Thread(() -> {
        try {
          Thread.sleep(Long.MAX_VALUE);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }, "sleeper-" + i);
      t.setDaemon(true);
      threads.add(t);
    }
    Thread spinner = new Thread(() -> {
      long x = 0;
      while (true) {
        x += System.nanoTime() % 7;
        if (x == 42) {
          System.out.print("");
        }
      }
    }, "spinner");
    spinner.setDaemon(true);
    spinner.start();
    threads.forEach(Thread::start);
    System.out.println("ready " + resident.length);
    System.out.flush();
    Thread.sleep(Long.MAX_VALUE);
  }
}
