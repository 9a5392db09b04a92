package dev.promptly.junit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import dev.promptly.api.BlockingSession;
import dev.promptly.api.Expect;
import dev.promptly.engine.TestRuns;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Events;

/** Children started in a test are gone after it, whether it passed or failed. */
class PromptlyExtensionTest {
  static final List<Long> PIDS = new CopyOnWriteArrayList<>();
  static volatile boolean underKit;

  @Test
  void childrenLeftRunningAreKilledAfterEachTestWhateverHappens() throws Exception {
    PIDS.clear();
    underKit = true;
    Events tests;
    try {
      tests = EngineTestKit.engine("junit-jupiter").selectors(selectClass(Leaky.class))
          .execute().testEvents();
    } finally {
      underKit = false;
    }
    tests.assertStatistics(s -> s.started(2).succeeded(1).failed(1));
    assertThat(PIDS).hasSize(3);
    for (long pid : PIDS) {
      assertThat(TestRuns.alive(pid)).as("pid %d", pid).isFalse();
    }
  }

  /** Run only by the test kit above. */
  @ExtendWith(PromptlyExtension.class)
  static class Leaky {
    @Test
    void leavesTwoChildrenRunning(Expect expect) {
      Assumptions.assumeTrue(underKit);
      BlockingSession a = expect.spawn("sleep", "100");
      BlockingSession b = expect.spawn("sh", "-c", "echo ready; cat");
      b.expect("ready");
      PIDS.add(a.pid());
      PIDS.add(b.pid());
    }

    @Test
    void failsWithAChildRunning(Expect expect) {
      Assumptions.assumeTrue(underKit);
      BlockingSession s = expect.spawn("sleep", "100");
      PIDS.add(s.pid());
      throw new AssertionError("this test fails on purpose");
    }
  }
}
