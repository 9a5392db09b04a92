package dev.promptly.process.ssh;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The launcher's training run makes one real SSH run in-process (so its classes are archived). */
class SshWarmupTest {
  @Test
  void anInProcessRunGoesThroughTheWholeClient() {
    assertThat(SshWarmup.run()).isTrue();
  }
}
