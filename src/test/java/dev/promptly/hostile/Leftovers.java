package dev.promptly.hostile;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * What a run could leave behind in this JVM: open file descriptors, live descendant processes and
 * threads. Counted before and after; {@link #settle} waits (bounded) for the I/O thread to finish
 * its closing and reaping, which completes just after the run's future.
 */
record Leftovers(int fds, long children, int threads) {

  static Leftovers now() {
    String[] fds = new File("/proc/self/fd").list();
    long children = ProcessHandle.current().descendants().filter(ProcessHandle::isAlive).count();
    return new Leftovers(fds == null ? -1 : fds.length, children, liveThreads());
  }

  /**
   * Live threads, less the ones the test harness starts on first use (JUnit's timeout watcher;
   * the JDK's process reaper, started by the ProcessHandle calls that count descendants).
   */
  static int liveThreads() {
    return (int) Thread.getAllStackTraces().keySet().stream()
        .filter(t -> !t.getName().startsWith("junit-") && !t.getName().equals("process reaper"))
        .count();
  }

  /** Polls until nothing is above {@code before} (or the time passes); returns the last count. */
  static Leftovers settle(Leftovers before, long millis) throws InterruptedException {
    long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
    Leftovers l = now();
    while (!l.within(before) && System.nanoTime() < end) {
      Thread.sleep(10);
      l = now();
    }
    return l;
  }

  /** Names of the live threads, for a message when their count grew. */
  static String threadNames() {
    return Thread.getAllStackTraces().keySet().stream().map(Thread::getName).sorted().toList()
        .toString();
  }

  boolean within(Leftovers before) {
    return fds <= before.fds && children == 0 && threads <= before.threads;
  }

  /** Whether a process exists and is not a zombie (a zombie of someone else's is gone to us). */
  static boolean alive(long pid) {
    try {
      return Files.readAllLines(Path.of("/proc/" + pid + "/status")).stream()
          .noneMatch(l -> l.startsWith("State:") && l.contains("Z"));
    } catch (IOException e) {
      return false;
    }
  }

  /** The pids of {@code pids} still alive after polling up to {@code millis}. */
  static List<Long> stillAlive(List<Long> pids, long millis) throws InterruptedException {
    long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
    List<Long> alive = pids.stream().filter(Leftovers::alive).toList();
    while (!alive.isEmpty() && System.nanoTime() < end) {
      Thread.sleep(10);
      alive = alive.stream().filter(Leftovers::alive).toList();
    }
    return alive;
  }
}
