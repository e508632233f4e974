package io.feitian.taskworker.process;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Reads processes from {@code /proc}. Every read tolerates the process vanishing meanwhile: a process
 * that is gone is simply absent.
 */
final class ProcFs {
  private static final Path PROC = Path.of("/proc");

  private ProcFs() {}

  /** The stat of one process, or empty when it does not exist. */
  static Optional<ProcStat> stat(long pid) {
    try {
      return ProcStat.parse(pid, Files.readString(PROC.resolve(Long.toString(pid)).resolve("stat")));
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }

  /** True when the process exists and has not ended (a zombie has ended). */
  static boolean isAlive(long pid) {
    return stat(pid).map(s -> !s.isDead()).orElse(false);
  }

  /** True when {@code pid} is alive and is the process that started at {@code startTicks}. */
  static boolean isSameProcessAlive(long pid, long startTicks) {
    return stat(pid).map(s -> !s.isDead() && s.startTicks() == startTicks).orElse(false);
  }

  /** Resident set size of one process in KiB, 0 when unknown (gone, zombie, kernel thread). */
  static long rssKib(long pid) {
    try {
      for (String line : Files.readAllLines(PROC.resolve(Long.toString(pid)).resolve("status"))) {
        if (line.startsWith("VmRSS:")) {
          String[] parts = line.substring("VmRSS:".length()).trim().split("\\s+");
          return Long.parseLong(parts[0]);
        }
      }
    } catch (IOException | RuntimeException e) {
      // gone or unreadable: counts as nothing
    }
    return 0;
  }

  /** The initial environment of a process as NAME=value entries, empty when unreadable. */
  static List<String> environ(long pid) {
    try {
      byte[] raw = Files.readAllBytes(PROC.resolve(Long.toString(pid)).resolve("environ"));
      List<String> entries = new ArrayList<>();
      for (String entry : new String(raw, StandardCharsets.UTF_8).split("\0")) {
        if (!entry.isEmpty()) {
          entries.add(entry);
        }
      }
      return entries;
    } catch (IOException | RuntimeException e) {
      return List.of();
    }
  }

  /** A point-in-time view of every process, for walking trees and groups. */
  static Table scan() {
    Map<Long, ProcStat> byPid = new HashMap<>();
    try (DirectoryStream<Path> dirs = Files.newDirectoryStream(PROC)) {
      for (Path dir : dirs) {
        String name = dir.getFileName().toString();
        if (name.isEmpty() || !Character.isDigit(name.charAt(0))) {
          continue;
        }
        long pid;
        try {
          pid = Long.parseLong(name);
        } catch (NumberFormatException e) {
          continue;
        }
        stat(pid).ifPresent(s -> byPid.put(pid, s));
      }
    } catch (IOException e) {
      throw new IllegalStateException("cannot list /proc", e);
    }
    return new Table(byPid);
  }

  /** Processes by pid, as read by one {@link #scan()}. */
  static final class Table {
    private final Map<Long, ProcStat> byPid;

    Table(Map<Long, ProcStat> byPid) {
      this.byPid = Map.copyOf(byPid);
    }

    Optional<ProcStat> get(long pid) {
      return Optional.ofNullable(byPid.get(pid));
    }

    /** A live child of {@code parent}, if it has one. */
    Optional<Long> childOf(long parent) {
      return byPid.values().stream().filter(s -> s.ppid() == parent && !s.isDead()).map(ProcStat::pid)
          .findFirst();
    }

    /**
     * The live processes of a worker: the members of process group {@code pgid}, the process
     * {@code leader}, and every descendant of those (a descendant may have moved to a group of its
     * own). Zombies are left out.
     */
    Set<Long> tree(long leader, long pgid) {
      Map<Long, List<Long>> children = new HashMap<>();
      Deque<Long> pending = new ArrayDeque<>();
      for (ProcStat s : byPid.values()) {
        children.computeIfAbsent(s.ppid(), k -> new ArrayList<>()).add(s.pid());
        if (s.pgrp() == pgid) {
          pending.add(s.pid());
        }
      }
      if (byPid.containsKey(leader)) {
        pending.add(leader);
      }
      Set<Long> seen = new LinkedHashSet<>();
      while (!pending.isEmpty()) {
        long pid = pending.poll();
        if (seen.add(pid)) {
          pending.addAll(children.getOrDefault(pid, List.of()));
        }
      }
      seen.removeIf(pid -> byPid.get(pid).isDead());
      return seen;
    }
  }
}
