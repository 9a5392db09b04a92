package dev.promptly.match.screen;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class ScreenViewTest {
  @Test
  void cursorMovesAndClearsAreRenderedNotMatchedAsBytes() {
    ScreenView s = new ScreenView(5, 20);
    s.feed("hello world\r\n\u001b[2J\u001b[3;5HMenu\u001b[1;1Htop left\u001b[3;10H OK");
    assertThat(s.text()).doesNotContain("hello world");
    assertThat(s.lines().get(0)).isEqualTo("top left");
    assertThat(s.lines().get(2)).isEqualTo("    Menu  OK");
    assertThat(s.contains("Menu  OK")).isTrue();
    assertThat(s.find(Pattern.compile("^\\s+Menu +(\\w+)$"))).hasValueSatisfying(
        m -> assertThat(m.group(1)).isEqualTo("OK"));
  }
}
