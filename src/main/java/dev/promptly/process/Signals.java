package dev.promptly.process;

/** Linux signal numbers and names (x86_64 / aarch64 numbering). */
public final class Signals {
  public static final int SIGHUP = 1;
  public static final int SIGINT = 2;
  public static final int SIGQUIT = 3;
  public static final int SIGKILL = 9;
  public static final int SIGPIPE = 13;
  public static final int SIGTERM = 15;
  public static final int SIGCONT = 18;

  private static final String[] NAMES = {
    "0", "SIGHUP", "SIGINT", "SIGQUIT", "SIGILL", "SIGTRAP", "SIGABRT", "SIGBUS", "SIGFPE",
    "SIGKILL", "SIGUSR1", "SIGSEGV", "SIGUSR2", "SIGPIPE", "SIGALRM", "SIGTERM", "SIGSTKFLT",
    "SIGCHLD", "SIGCONT", "SIGSTOP", "SIGTSTP", "SIGTTIN", "SIGTTOU", "SIGURG", "SIGXCPU",
    "SIGXFSZ", "SIGVTALRM", "SIGPROF", "SIGWINCH", "SIGIO", "SIGPWR", "SIGSYS"
  };

  private Signals() {
  }

  /**
   * The number of a signal given as {@code TERM}, {@code SIGTERM} or {@code 15}; -1 if unknown.
   */
  public static int number(String text) {
    String t = text.strip().toUpperCase(java.util.Locale.ROOT);
    if (t.matches("\\d{1,2}")) {
      int n = Integer.parseInt(t);
      return n > 0 && n < NAMES.length ? n : -1;
    }
    String full = t.startsWith("SIG") ? t : "SIG" + t;
    for (int i = 1; i < NAMES.length; i++) {
      if (NAMES[i].equals(full)) {
        return i;
      }
    }
    return -1;
  }

  public static String name(int signal) {
    return signal > 0 && signal < NAMES.length ? NAMES[signal] : "signal " + signal;
  }
}
