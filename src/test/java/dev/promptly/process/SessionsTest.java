package dev.promptly.process;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
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
  void theJvmIsAMemberOfItsOwnSessionWhateverItsNumber() {
    // In a container whose session leader lives outside its pid namespace, the id reads as 0.
    long self = ProcessHandle.current().pid();
    int sid = Sessions.sessionOf(Path.of("/proc/self"));
    assertThat(sid).isNotNegative();
    assertThat(Sessions.members(sid)).contains((int) self);
  }

  @Test
  void aSessionLeaderAndItsChildAreFoundByTheLeadersPid() throws Exception {
    Process leader = new ProcessBuilder("setsid", "sh", "-c", "sleep 30 & echo $!; wait").start();
    try {
      String line = new BufferedReader(new InputStreamReader(leader.getInputStream())).readLine();
      int grandchild = Integer.parseInt(line.trim());
      int sid = (int) leader.pid();
      assertThat(Sessions.sessionOf(Path.of("/proc/" + sid))).isEqualTo(sid);
      assertThat(Sessions.members(sid)).contains(sid, grandchild);
      assertThat(Sessions.members(sid)).doesNotContain((int) ProcessHandle.current().pid());
    } finally {
      leader.descendants().forEach(ProcessHandle::destroyForcibly);
      leader.destroyForcibly();
      assertThat(leader.waitFor(10, TimeUnit.SECONDS)).isTrue();
    }
  }
}
