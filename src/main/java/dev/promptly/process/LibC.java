package dev.promptly.process;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Platform;
import com.sun.jna.Pointer;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The libc calls the transports make, bound by JNA direct mapping ({@link Native#register}): a
 * direct call costs a JNI transition, no reflection, no boxing. errno is read with
 * {@link Native#getLastError()} (JNA saves it after every call) so no exception is built on the
 * hot path. Strings cross as UTF-8 bytes in native memory, whatever the JVM's default charset.
 *
 * <p>Constants are Linux values, identical on x86_64 and aarch64 (asm-generic), except the layout
 * of {@code struct epoll_event}, which is packed on x86 only.
 */
final class LibC {
  static {
    NativeCache.prepare(); // before JNA loads its own library
    // JNA's NativeLibrary runs `/sbin/ldconfig -p` in its static initialiser (a fork and exec of
    // 20-50 ms on every start) unless this property is set. libc sits in the multiarch folder.
    if (System.getProperty("jna.platform.library.path") == null) {
      String arch = NativeCache.gnuArch();
      System.setProperty("jna.platform.library.path", "/usr/lib/" + arch + "-linux-gnu:/lib/"
          + arch + "-linux-gnu:/usr/lib64:/lib64:/usr/lib:/lib");
    }
    Native.register(LibC.class, NativeLibrary.getInstance(Platform.C_LIBRARY_NAME));
  }

  private LibC() {
  }

  // errno
  static final int ESRCH = 3;
  static final int EINTR = 4;
  static final int EIO = 5;
  static final int ECHILD = 10;
  static final int EAGAIN = 11;
  static final int EPIPE = 32;
  static final int ENOSYS = 38;

  // open(2), fcntl(2)
  static final int O_RDWR = 2;
  static final int O_NONBLOCK = 0x800;
  static final int O_CLOEXEC = 0x80000;
  static final int F_DUPFD_CLOEXEC = 1030;
  static final int F_SETFD = 2;
  static final int F_GETFL = 3;
  static final int F_SETFL = 4;
  static final int FD_CLOEXEC = 1;

  // posix_spawn(3)
  static final short POSIX_SPAWN_SETSIGDEF = 0x04;
  static final short POSIX_SPAWN_SETSIGMASK = 0x08;
  static final short POSIX_SPAWN_SETSID = 0x80;

  // epoll(7), eventfd(2)
  static final int EPOLL_CTL_ADD = 1;
  static final int EPOLL_CTL_DEL = 2;
  static final int EPOLL_CTL_MOD = 3;
  static final int EPOLLIN = 0x001;
  static final int EPOLLOUT = 0x004;
  static final int EPOLLERR = 0x008;
  static final int EPOLLHUP = 0x010;
  /** x86 packs struct epoll_event (u32 events; u64 data) to 12 bytes; other arches align to 16. */
  static final int EPOLL_EVENT_SIZE = Platform.isIntel() ? 12 : 16;
  static final int EPOLL_DATA_OFFSET = Platform.isIntel() ? 4 : 8;

  // waitid(2)
  static final int P_PID = 1;
  static final int WNOHANG = 1;
  static final int WEXITED = 4;
  static final int WNOWAIT = 0x01000000;
  static final int CLD_EXITED = 1;
  static final int SIGINFO_SIZE = 128;
  static final int SI_CODE_OFFSET = 8;
  static final int SI_PID_OFFSET = 16;
  static final int SI_STATUS_OFFSET = 24;

  // termios(3): struct termios is 60 bytes (4 flags, c_line, c_cc[32], speeds)
  static final int TERMIOS_SIZE = 60;
  static final int C_IFLAG_OFFSET = 0;
  static final int C_LFLAG_OFFSET = 12;
  static final int C_CC_OFFSET = 17;
  static final int VEOF = 4;
  static final int ECHO = 0x8;
  static final int ICANON = 0x2;
  static final int IUTF8 = 0x4000;
  static final int TCSANOW = 0;
  static final long TIOCSWINSZ = 0x5414;

  static final long SYS_PIDFD_OPEN = 434;

  static native int close(int fd);

  static native long read(int fd, Pointer buf, long count);

  static native long write(int fd, Pointer buf, long count);

  static native int pipe2(int[] fds, int flags);

  /** Variadic in C; its third argument is an int for every command used here. */
  static native int fcntl(int fd, int cmd, int arg);

  /** Variadic in C; a pointer argument for every request used here. */
  static native int ioctl(int fd, long request, Pointer arg);

  static native int epoll_create1(int flags);

  static native int epoll_ctl(int epfd, int op, int fd, Pointer event);

  static native int epoll_wait(int epfd, Pointer events, int maxEvents, int timeout);

  static native int eventfd(int initval, int flags);

  /** Variadic in C; integer arguments are passed as on a plain call on x86_64 and aarch64. */
  static native long syscall(long number, long arg1, long arg2);

  static native int waitid(int idtype, int id, Pointer infop, int options);

  static native int waitpid(int pid, Pointer status, int options);

  static native int kill(int pid, int sig);

  static native int tcgetattr(int fd, Pointer termios);

  static native int tcsetattr(int fd, int action, Pointer termios);

  static native int ptsname_r(int fd, Pointer buf, long len);

  static native Pointer strerror(int errnum);

  static native int sigemptyset(Pointer set);

  static native int sigfillset(Pointer set);

  static native int posix_spawn(Pointer pid, Pointer path, Pointer fileActions, Pointer attr,
                                Pointer argv, Pointer envp);

  static native int posix_spawnattr_init(Pointer attr);

  static native int posix_spawnattr_destroy(Pointer attr);

  static native int posix_spawnattr_setflags(Pointer attr, short flags);

  static native int posix_spawnattr_setsigmask(Pointer attr, Pointer sigmask);

  static native int posix_spawnattr_setsigdefault(Pointer attr, Pointer sigdefault);

  static native int posix_spawn_file_actions_init(Pointer actions);

  static native int posix_spawn_file_actions_destroy(Pointer actions);

  static native int posix_spawn_file_actions_adddup2(Pointer actions, int fd, int newFd);

  static native int posix_spawn_file_actions_addopen(Pointer actions, int fd, Pointer path,
                                                     int oflag, int mode);

  static native int posix_spawn_file_actions_addchdir_np(Pointer actions, Pointer path);

  static native int posix_spawn_file_actions_addclosefrom_np(Pointer actions, int from);

  static int errno() {
    return Native.getLastError();
  }

  static String strerror0(int errnum) {
    Pointer p = strerror(errnum);
    return p == null ? "errno " + errnum : p.getString(0, StandardCharsets.UTF_8.name());
  }

  /** A NUL-terminated UTF-8 copy of {@code s}. */
  static Memory cString(String s) {
    byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
    Memory m = new Memory(bytes.length + 1L);
    m.write(0, bytes, 0, bytes.length);
    m.setByte(bytes.length, (byte) 0);
    return m;
  }

  /**
   * A NULL-terminated array of C strings; {@code keep} receives every block so the caller holds
   * them alive until the call that uses them returns.
   */
  static Memory cStringArray(List<String> strings, List<Memory> keep) {
    Memory array = new Memory((strings.size() + 1L) * Native.POINTER_SIZE);
    for (int i = 0; i < strings.size(); i++) {
      Memory s = cString(strings.get(i));
      keep.add(s);
      array.setPointer((long) i * Native.POINTER_SIZE, s);
    }
    array.setPointer((long) strings.size() * Native.POINTER_SIZE, null);
    return array;
  }

  /** Closes {@code fd} if it is open; close(2) is never retried on Linux (the fd is gone). */
  static void closeQuietly(int fd) {
    if (fd >= 0) {
      close(fd);
    }
  }

  /**
   * openpty(3): in libc since glibc 2.34, in libutil before. A class of its own so that a missing
   * symbol in one library can fall back to the other.
   */
  static final class Pty {
    static {
      try {
        Native.register(Pty.class, NativeLibrary.getInstance(Platform.C_LIBRARY_NAME));
      } catch (UnsatisfiedLinkError e) {
        Native.register(Pty.class, NativeLibrary.getInstance("util"));
      }
    }

    private Pty() {
    }

    static native int openpty(int[] master, int[] slave, Pointer name, Pointer termios,
                              Pointer winsize);
  }
}
