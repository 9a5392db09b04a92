package dev.promptly.process;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.SelectStrategy;
import io.netty.util.IntSupplier;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The event loop's polling after activity (issue 20): it polls while that catches the child's
 * answers, stops burning the core when it does not (a busy machine), and tries again now and then.
 */
class PollAfterActivityTest {
  private final AtomicInteger polls = new AtomicInteger();
  private volatile int ready;
  private final IntSupplier selectNow = () -> {
    polls.incrementAndGet();
    return ready;
  };

  /** One wait right after activity: how many times it polled, and what it decided. */
  private int pollsOfOneWait(EpollLoops.PollAfterActivity strategy) throws Exception {
    polls.set(0);
    EpollLoops.active();
    int decision = strategy.calculateStrategy(selectNow, false);
    // Ready fds are handled at once; otherwise (or without polling at all) the loop blocks.
    assertThat(decision).isEqualTo(polls.get() > 0 && ready > 0 ? ready : SelectStrategy.SELECT);
    return polls.get();
  }

  @Test
  void pollsThatMissStopAndAProbeComesBack() throws Exception {
    EpollLoops.PollAfterActivity strategy = new EpollLoops.PollAfterActivity();
    ready = 0;
    assertThat(pollsOfOneWait(strategy)).as("the first wait polls").isPositive();
    int quiet = 0;
    int probes = 0;
    for (int i = 0; i < 200; i++) {
      if (pollsOfOneWait(strategy) == 0) {
        quiet++;
      } else {
        probes++;
      }
    }
    // Halved five times down to nothing, then one probe every 32 waits.
    assertThat(quiet).isGreaterThan(170);
    assertThat(probes).isBetween(5, 20);

    ready = 1;
    int untilCaught = 0;
    while (pollsOfOneWait(strategy) == 0) {
      untilCaught++;
      assertThat(untilCaught).as("a probe within 32 waits").isLessThanOrEqualTo(32);
    }
    // Caught: the next waits poll the full window again.
    for (int i = 0; i < 10; i++) {
      assertThat(pollsOfOneWait(strategy)).isPositive();
    }
  }

  @Test
  void tasksAreNeverHeldUp() throws Exception {
    EpollLoops.PollAfterActivity strategy = new EpollLoops.PollAfterActivity();
    ready = 0;
    EpollLoops.active();
    polls.set(0);
    assertThat(strategy.calculateStrategy(selectNow, true)).isEqualTo(0);
    assertThat(polls.get()).isEqualTo(1);
  }
}
