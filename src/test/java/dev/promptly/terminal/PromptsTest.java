package dev.promptly.terminal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** What changes between runs in a prompt becomes a regex; the rest stays as written. */
class PromptsTest {
  @Test
  void numbersDatesHashesAndPidsAreGeneralised() {
    assertThat(Prompts.regex("Password: ")).isNull();
    assertThat(Prompts.regex(">>> ")).isNull();
    String pid = Prompts.regex("[4242] 7> ");
    assertThat(pid).isEqualTo("\\[\\d+\\] +\\d+> ");
    assertThat(Pattern.compile(pid).matcher("[17] 12> ").find()).isTrue();
    String dated = Prompts.regex("Sat Dec  5 18:20:41 2026 $ ");
    assertThat(Pattern.compile(dated).matcher("Mon Jan 12 09:01:02 2027 $ ").find()).isTrue();
    String hash = Prompts.regex("(main 3f9a2c1d) % ");
    assertThat(hash).contains("[0-9a-fA-F]+");
    assertThat(Pattern.compile(hash).matcher("(main 77b0e9a4f) % ").find()).isTrue();
    assertThat(Pattern.compile(hash).matcher("(dev 77b0e9a4f) % ").find()).isFalse();
  }

  @Test
  void aSecretTypedWithEchoOffIsNeverKept() {
    DialogueRecorder r = new DialogueRecorder();
    r.output("login: ");
    r.typed("bob\r", true);
    r.output("bob\r\nPassword: ");
    r.typed("hunter2", false);
    r.typed("\r", false);
    r.output("\r\nok ${HOME}\r\n$ ");
    r.typed("\u0004", true);
    String yaml = r.dialogue(List.of("login"), true, null, "0");
    assertThat(yaml).contains("- expect: \"login: \"\n    sendline: \"bob\"")
        .contains("sendline: \"${env:PROMPTLY_SECRET_1}\"\n    secret: true")
        .contains("- expect: \"$ \"\n  - close: stdin\n  - expect: eof\nexit: 0")
        .doesNotContain("hunter2");
    assertThat(r.cast(24, 80, "t", null)).doesNotContain("hunter2").contains("******\\n");
  }
}
