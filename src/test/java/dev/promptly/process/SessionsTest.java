package dev.promptly.process;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class SessionsTest {
  @Test
  void theSessionIsTheSixthFieldWhateverTheCommandName() {
    assertThat(Sessions.parseSession("4242 (sleep) S 1 4243 4244 34816 0 0")).isEqualTo(4244);
    assertThat(Sessions.parseSession("7 (a b) c) (d) R 1 8 9 0")).isEqualTo(9);
    assertThat(Sessions.parseSession("garbage")).isEqualTo(-1);
    assertThat(Sessions.parseSession("1 (x) S 0")).isEqualTo(-1);
  }

  @Test
  void theJvmIsAMemberOfItsOwnSession() {
    long self = ProcessHandle.current().pid();
    int sid = Sessions.sessionOf(Path.of("/proc/self"));
    assertThat(sid).isPositive();
    assertThat(Sessions.members(sid)).contains((int) self);
  }
}
