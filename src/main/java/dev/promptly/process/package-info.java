/**
 * Transports for child processes: pipes and pseudo-terminals behind {@link
 * dev.promptly.process.ChildProcess} (a ReadStream of output, a WriteStream of input, a Future of
 * the exit status, signals). {@link dev.promptly.process.Launcher#system()} is the implementation.
 *
 * <h2>Why not ProcessBuilder, pty4j or NuProcess</h2>
 * The JDK gives a child neither its own session and process group (so no way to kill what it
 * started), nor a pseudo-terminal, nor non-blocking pipes; blocking reads need a thread per child.
 * pty4j's streams cost 3x Tcl Expect per round trip and pull Kotlin; NuProcess has no pty and its
 * Vert.x wrapper loses early output (shared/notes). So this package calls libc itself, through JNA
 * direct mapping into reused native buffers.
 *
 * <h2>Spawning: posix_spawn</h2>
 * glibc's posix_spawn (clone with CLONE_VFORK, then exec) starts a child without copying the JVM
 * and reports an exec failure as an errno. Every child gets POSIX_SPAWN_SETSID (its own session
 * and process group: pgid = sid = pid), default signal dispositions and an empty signal mask (the
 * JVM ignores SIGPIPE and blocks some signals; a child must not inherit that), its working
 * directory (addchdir_np), fds 0-2 only (addclosefrom_np(3): the JVM's fds are not all
 * close-on-exec). argv[0] is resolved here first (PATH of the child's environment, or relative to
 * its working directory) so that "program not found", "not executable" and "is a directory" are
 * told apart in one clear line.
 * <ul>
 *   <li>Pipes: stdin is a pipe; stdout and stderr are the same pipe, so their interleaving is
 *       exactly the order the child wrote them.
 *   <li>Pty: openpty with the window size, ECHO cleared on request, IUTF8 set. The child opens the
 *       slave device itself as fd 0 (then dup2 to 1 and 2): a session leader opening a terminal
 *       acquires it as its controlling terminal, so ^C (written as \x03) sends SIGINT to its
 *       foreground group, and resize (TIOCSWINSZ on the master) sends SIGWINCH. The parent closes
 *       its copy of the slave at once; a pty master reads EIO once no process holds the slave,
 *       which is taken as the end of output.
 * </ul>
 *
 * <h2>I/O: the child's own event loop, or one epoll thread for every child</h2>
 * A child's fds are watched by a {@link dev.promptly.process.Poller}. When the child's context is
 * an event-loop context on Netty's epoll transport (promptly's own Vert.x instance, see {@link
 * dev.promptly.process.EpollLoops}), that is the context's own event loop: each fd is an
 * EpollIoHandle registered with the loop ({@link dev.promptly.process.LoopPoller}), so output is
 * read, decoded and matched on one thread, and the answer written from it, with no hand-off
 * between threads. Otherwise (a Vert.x instance on NIO, a worker context) one daemon thread,
 * "promptly-io", started on first use and never more than one, runs an epoll loop over those
 * children ({@link dev.promptly.process.Reactor}), woken by an eventfd for new work. Either way:
 * level-triggered, one read of up to 256 KiB per readiness, so a flooding child cannot starve the
 * others; the input fds that are momentarily full (EPOLLOUT) and every child's pidfd are watched
 * too; after a child's last event or write the poller polls (epoll_wait with a zero timeout) for
 * 30 us before it blocks, since the answer is usually that close. Bytes read are copied once into
 * a Vert.x Buffer and handed to the child's context with runOnContext (from the loop itself, a
 * queued task, not a wake-up): all handlers and futures of a child run on the context given at
 * spawn. An event loop shut down while it still watches a live child (its Vert.x closed) kills
 * that child's session and reaps it, since nothing would be left to. Pausing the output keeps chunks in memory, so a child
 * never blocks on a full pipe because of what the consumer does. Only the context's own pace
 * bounds the reading: when more than 1 MiB read for a child waits to reach its context, the
 * reactor stops watching that child's output until half of it has been handed on. A child that
 * writes faster than its context decodes and matches then waits on its pipe, as under a slow
 * terminal, instead of filling the heap and delaying the context's timers by seconds.
 * Input is written straight from the caller when the fd takes it (no thread hop for a short line
 * to a waiting child); the rest is queued and written by the reactor, with writeQueueFull and a
 * drain handler when the queue falls to half (64 KiB by default).
 *
 * <h2>Exit: pidfd, without reaping early</h2>
 * pidfd_open (Linux 5.3) makes a child's exit an epoll event, with no SIGCHLD handler to share with
 * the JVM. The status is read with waitid(WNOWAIT): the child stays a zombie, which keeps its pid
 * and so its process group id from being reused, until both its exit is known and its output has
 * ended (then it is reaped), or until terminate. So signalling the group (kill(-pgid)) can never
 * reach an unrelated process. Exit and end of output are independent: a grandchild may hold the
 * output open after the child exited, or a child may close its output and live on.
 *
 * <h2>Terminate</h2>
 * SIGTERM to the session, SIGKILL to the session after the grace period if the child has not
 * exited; once it has, SIGKILL to the session (whatever it left behind), reap, hand on the output already
 * buffered in the pipe or pty, then close the output (it ends even if a process that left the group
 * still holds it) and the input. "The session" is the child's process group and every other
 * process whose session id is the child's pid (found in /proc): an interactive shell on a pty puts
 * each job in a group of its own, which a signal to the child's group alone would miss. The
 * unreaped child pins that id, so no other session can be hit. A process that made a session of
 * its own (a daemon) is out of reach, as it is meant to be.
 */
package dev.promptly.process;
