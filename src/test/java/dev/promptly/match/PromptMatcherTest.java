package dev.promptly.match;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class PromptMatcherTest {

  private static final PatternSpec EOF = new PatternSpec.Eof();
  private static final PatternSpec TIMEOUT = new PatternSpec.Timeout();

  private static PatternSpec lit(String s) {
    return new PatternSpec.Literal(s);
  }

  private static PatternSpec re(String s) {
    return PatternSpec.Regex.of(s);
  }

  private static PromptMatcher expecting(PatternSpec... branches) {
    PromptMatcher m = new PromptMatcher();
    m.expect(List.of(branches));
    return m;
  }

  /** Feeds the chunks in order and returns the first match (the step ends at it). */
  private static Optional<MatchResult> feedAll(PromptMatcher m, List<String> chunks) {
    for (String chunk : chunks) {
      Optional<MatchResult> r = m.feed(chunk);
      if (r.isPresent()) {
        return r;
      }
    }
    return Optional.empty();
  }

  @Test
  void literalInOneFeed() {
    PromptMatcher m = expecting(lit("Password: "));
    MatchResult r = m.feed("Connecting...\nPassword: ").orElseThrow();
    assertThat(r.branch()).isZero();
    assertThat(r.before()).isEqualTo("Connecting...\n");
    assertThat(r.text()).isEqualTo("Password: ");
    assertThat(r.start()).isEqualTo(14);
    assertThat(r.end()).isEqualTo(24);
    assertThat(r.groups()).isEqualTo(Map.of("0", "Password: "));
    assertThat(m.position()).isEqualTo(24);
    assertThat(m.received()).isEqualTo(24);
    assertThat(m.unmatched()).isEmpty();
  }

  @Test
  void literalSplitAcrossTwoFeedsAtEveryPosition() {
    String text = "login ok\nPassword: rest";
    int start = text.indexOf("Password: ");
    for (int cut = 0; cut <= text.length(); cut++) {
      PromptMatcher m = expecting(lit("Password: "));
      assertThat(m.search()).isEmpty();
      Optional<MatchResult> first = m.feed(text.substring(0, cut));
      Optional<MatchResult> r = first.isPresent() ? first : m.feed(text.substring(cut));
      assertThat(first.isPresent()).as("cut %d", cut).isEqualTo(cut >= start + 10);
      assertThat(r).as("cut %d", cut).isPresent();
      assertThat(r.get().start()).isEqualTo(start);
      assertThat(r.get().before()).isEqualTo("login ok\n");
      if (first.isPresent()) {
        m.feed(text.substring(cut));
      }
      assertThat(m.unmatched()).isEqualTo("rest");
    }
  }

  @Test
  void multibyteCharactersSplitBetweenReads() {
    String text = "Загрузка 😀 готово\nВведите текст: ";
    byte[] bytes = text.getBytes(UTF_8);
    for (int cut = 0; cut <= bytes.length; cut++) {
      Utf8Decoder decoder = new Utf8Decoder();
      PromptMatcher m = expecting(lit("Введите текст: "), re("(?<what>\\S+) текст: "));
      Optional<MatchResult> r = m.feed(decoder.decode(bytes, 0, cut));
      if (r.isEmpty()) {
        r = m.feed(decoder.decode(bytes, cut, bytes.length - cut));
      }
      assertThat(r).as("cut %d", cut).isPresent();
      assertThat(r.get().branch()).as("cut %d", cut).isZero();
      assertThat(r.get().before()).isEqualTo("Загрузка 😀 готово\n");
      assertThat(r.get().start()).isEqualTo(text.indexOf("Введите"));
    }
  }

  @Test
  void regexesAcrossChunkBoundariesAgreeWithAOneShotSearch() {
    String text = "Welcome user\nalice@box:~$ ls\nsome: ok\nLogin: bob\nsecret\nPassword: x\n"
        + "Continue (yes/no)? end.\n# ";
    List<String> regexes = List.of("\\(yes/no\\)\\?", "(?i)password:", "[$#] (?=ls)",
        "(?<user>\\w+)@(?<host>[a-z]+):~\\$ ", "(?<=: )ok", "\\bend\\b", "Login:.*?Password:",
        "^Welcome", "(?-s)Login:.*\\n", "(yes|no)/(?<second>yes|no)");
    for (String regex : regexes) {
      Matcher reference = Pattern.compile(regex, Pattern.DOTALL).matcher(text);
      assertThat(reference.find()).as(regex).isTrue();
      for (int a = 0; a <= text.length(); a++) {
        for (int b = a; b <= text.length(); b += 7) {
          PromptMatcher m = expecting(re(regex));
          MatchResult r = feedAll(m, List.of(text.substring(0, a), text.substring(a, b),
              text.substring(b))).orElseThrow(() -> new AssertionError(regex));
          assertThat(r.start()).as("%s cut %d %d", regex, a, b).isEqualTo(reference.start());
          assertThat(r.end()).as("%s cut %d %d", regex, a, b).isEqualTo(reference.end());
          assertThat(r.text()).isEqualTo(reference.group());
        }
      }
    }
  }

  @Test
  void dollarMatchesAtTheEndOfWhatHasArrived() {
    // As in pexpect: the end of the text so far is the end of input for the regex.
    PromptMatcher m = expecting(re("[$#] $"));
    MatchResult r = m.feed("alice@box:~$ ").orElseThrow();
    assertThat(r.start()).isEqualTo(11);
    m.expect(List.of(re("[$#] $")));
    assertThat(m.feed("ls\n# x")).isEmpty();
  }

  @Test
  void regexFedOneCharAtATime() {
    String text = "noise (yes/n (yes/no)? tail";
    PromptMatcher m = expecting(re("\\(yes/no\\)\\?"));
    List<String> chars = new ArrayList<>();
    for (char c : text.toCharArray()) {
      chars.add(String.valueOf(c));
    }
    MatchResult r = feedAll(m, chars).orElseThrow();
    assertThat(r.start()).isEqualTo(13);
    assertThat(r.before()).isEqualTo("noise (yes/n ");
  }

  @Test
  void earliestMatchWinsWhateverTheOrder() {
    String text = "boot... ERROR: disk\nPassword: ";
    PromptMatcher m = expecting(lit("Password: "), re("ERR\\w+"));
    MatchResult r = m.feed(text).orElseThrow();
    assertThat(r.branch()).isEqualTo(1);
    assertThat(r.text()).isEqualTo("ERROR");
    assertThat(m.unmatched()).isEqualTo(": disk\nPassword: ");

    PromptMatcher reversed = expecting(re("ERR\\w+"), lit("Password: "));
    assertThat(reversed.feed(text).orElseThrow().branch()).isZero();
  }

  @Test
  void earliestMatchWinsEvenWhenTheLaterOneArrivedFirst() {
    PromptMatcher m = expecting(lit("$ "), lit("error"));
    assertThat(m.feed("an err")).isEmpty();
    MatchResult r = m.feed("or here $ ").orElseThrow();
    assertThat(r.branch()).isEqualTo(1);
    assertThat(r.start()).isEqualTo(3);
  }

  @Test
  void atTheSameStartTheBranchListedFirstWins() {
    PromptMatcher m = expecting(re("Pass\\w+"), lit("Password:"));
    assertThat(m.feed("Password: ").orElseThrow().branch()).isZero();
    PromptMatcher other = expecting(lit("Password:"), re("Pass\\w+"));
    MatchResult r = other.feed("Password: ").orElseThrow();
    assertThat(r.branch()).isZero();
    assertThat(r.text()).isEqualTo("Password:");
  }

  @Test
  void severalPromptsInOneReadAreConsumedOneStepAtATime() {
    PromptMatcher m = new PromptMatcher();
    m.expect(List.of(lit("> ")));
    MatchResult first = m.feed("a> b> c> ").orElseThrow();
    assertThat(first.before()).isEqualTo("a");
    assertThat(m.unmatched()).isEqualTo("b> c> ");

    m.expect(List.of(lit("> ")));
    MatchResult second = m.search().orElseThrow();
    assertThat(second.before()).isEqualTo("b");
    assertThat(second.start()).isEqualTo(4);

    m.expect(List.of(re("(\\w)> ")));
    MatchResult third = m.search().orElseThrow();
    assertThat(third.groups()).containsEntry("1", "c");
    assertThat(third.start()).isEqualTo(6);
    assertThat(m.position()).isEqualTo(9);

    m.expect(List.of(lit("> ")));
    assertThat(m.search()).isEmpty();
  }

  @Test
  void aMatchEndsTheStepSoLaterOutputIsOnlyBuffered() {
    PromptMatcher m = expecting(lit("$ "));
    assertThat(m.feed("$ ")).isPresent();
    assertThat(m.branches()).isEmpty();
    assertThat(m.feed("ls\n$ ")).isEmpty();
    assertThat(m.unmatched()).isEqualTo("ls\n$ ");
    m.expect(List.of(lit("$ ")));
    assertThat(m.search().orElseThrow().before()).isEqualTo("ls\n");
  }

  @Test
  void withoutBranchesFeedOnlyBuffers() {
    PromptMatcher m = new PromptMatcher();
    assertThat(m.feed("Password: ")).isEmpty();
    assertThat(m.search()).isEmpty();
    assertThat(m.received()).isEqualTo(10);
    assertThat(m.position()).isZero();
    m.expect(List.of(lit("word")));
    assertThat(m.search().orElseThrow().start()).isEqualTo(4);
  }

  @Test
  void newBranchesReplaceOldOnesAndSearchFromTheUnmatchedStart() {
    PromptMatcher m = expecting(lit("nope"));
    assertThat(m.feed("abc def")).isEmpty();
    m.expect(List.of(lit("abc")));
    assertThat(m.search().orElseThrow().start()).isZero();
  }

  @Test
  void textBeforeEofIsMatchedFirst() {
    PromptMatcher m = new PromptMatcher();
    m.feed("done\n");
    m.expect(List.of(EOF, lit("done")));
    MatchResult r = m.eof().orElseThrow();
    assertThat(r.branch()).isEqualTo(1);
    assertThat(m.isEof()).isTrue();

    m.expect(List.of(lit("more"), EOF));
    MatchResult end = m.search().orElseThrow();
    assertThat(end.branch()).isEqualTo(1);
    assertThat(end.before()).isEqualTo("\n");
    assertThat(end.text()).isEmpty();
    assertThat(end.start()).isEqualTo(5).isEqualTo(end.end());
    assertThat(end.groups()).isEmpty();
  }

  @Test
  void eofWithPendingTextConsumesIt() {
    PromptMatcher m = expecting(lit("$ "), EOF);
    assertThat(m.feed("bye\nlast words")).isEmpty();
    MatchResult r = m.eof().orElseThrow();
    assertThat(r.branch()).isEqualTo(1);
    assertThat(r.before()).isEqualTo("bye\nlast words");
    assertThat(r.start()).isEqualTo(14);
    assertThat(m.position()).isEqualTo(14);
    assertThat(m.unmatched()).isEmpty();
  }

  @Test
  void eofWithoutAnEofBranchMatchesNothingButIsRemembered() {
    PromptMatcher m = expecting(lit("$ "));
    m.feed("partial");
    assertThat(m.eof()).isEmpty();
    assertThat(m.isEof()).isTrue();
    assertThat(m.branches()).isNotEmpty();
    m.expect(List.of(EOF));
    assertThat(m.search().orElseThrow().before()).isEqualTo("partial");
    m.expect(List.of(EOF));
    assertThat(m.search().orElseThrow().before()).isEmpty();
    assertThat(m.isEof()).isTrue();
  }

  @Test
  void eofBetweenStepsThenEofStep() {
    PromptMatcher m = new PromptMatcher();
    assertThat(m.eof()).isEmpty();
    m.expect(List.of(EOF));
    assertThat(m.search()).isPresent();
  }

  @Test
  void feedingAfterEofIsABug() {
    PromptMatcher m = new PromptMatcher();
    m.eof();
    assertThatThrownBy(() -> m.feed("x")).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void timeoutKeepsTheOutputMatchable() {
    PromptMatcher m = expecting(lit("prompt> "), TIMEOUT);
    assertThat(m.feed("partial out")).isEmpty();
    MatchResult r = m.timeout().orElseThrow();
    assertThat(r.branch()).isEqualTo(1);
    assertThat(r.before()).isEqualTo("partial out");
    assertThat(r.text()).isEmpty();
    assertThat(r.start()).isEqualTo(11).isEqualTo(r.end());
    assertThat(m.unmatched()).isEqualTo("partial out");
    assertThat(m.position()).isZero();
    assertThat(m.branches()).isEmpty();

    m.expect(List.of(lit("out")));
    assertThat(m.search().orElseThrow().start()).isEqualTo(8);
  }

  @Test
  void timeoutWithoutATimeoutBranchIsEmpty() {
    PromptMatcher m = expecting(lit("prompt> "));
    assertThat(m.timeout()).isEmpty();
    assertThat(m.branches()).hasSize(1);
    assertThat(new PromptMatcher().timeout()).isEmpty();
  }

  @Test
  void namedAndNumberedGroups() {
    PromptMatcher m = expecting(
        re("(?<user>\\w+)@(?<host>[\\w.]+)(:(?<port>\\d+))?(?<dir>/\\S*)? \\$ "));
    MatchResult r = m.feed("last login\nroot@db.local $ ").orElseThrow();
    assertThat(r.groups()).containsEntry("0", "root@db.local $ ")
        .containsEntry("1", "root").containsEntry("user", "root")
        .containsEntry("2", "db.local").containsEntry("host", "db.local")
        .doesNotContainKeys("3", "4", "port", "dir", "5");
  }

  @Test
  void groupNamesAreFoundOutsideEscapesQuotesAndClasses() {
    assertThat(PromptMatcher.groupNames("(?<a>x)\\(?<no>y)[(?<no2>]\\Q(?<no3>\\E(?<b1>z)"))
        .containsExactly("a", "b1");
    assertThat(PromptMatcher.groupNames("(?<=x)(?<!y)(?:z)(?<n>[a[b]](?<m>c))"))
        .containsExactly("n", "m");
    assertThat(PromptMatcher.groupNames("\\Q(?<open>")).isEmpty();
  }

  @Test
  void caretAnchorsAtTheStartOfUnmatchedText() {
    PromptMatcher m = expecting(lit("> "));
    m.feed("a> banner\n");
    m.expect(List.of(re("^banner")));
    assertThat(m.search().orElseThrow().start()).isEqualTo(3);
    // Not at the start of a later chunk, nor where a search resumes.
    m.expect(List.of(re("^x")));
    assertThat(m.feed("x")).isEmpty();
    assertThat(m.feed("x")).isEmpty();
  }

  @Test
  void offsetsStayAbsoluteAfterOldTextIsDropped() {
    PromptMatcher m = new PromptMatcher(16);
    m.expect(List.of(lit("$ ")));
    StringBuilder all = new StringBuilder();
    for (int i = 0; i < 1000; i++) {
      String chunk = "line " + i + "\n";
      all.append(chunk);
      assertThat(m.feed(chunk)).isEmpty();
    }
    MatchResult r = m.feed("end $ ").orElseThrow();
    assertThat(r.start()).isEqualTo(all.length() + 4);
    assertThat(r.before()).hasSizeLessThanOrEqualTo(16).endsWith("end ");
    assertThat(m.buffered()).isLessThanOrEqualTo(2 * 16 + 6);
  }

  @Test
  void regexSeesOnlyTheWindow() {
    PromptMatcher m = new PromptMatcher(8);
    m.expect(List.of(re("st.*end")));
    assertThat(m.feed("st")).isEmpty();
    assertThat(m.feed("......")).isEmpty();
    // "st" has slid out of the last 8 chars: the span can no longer be found.
    assertThat(m.feed("end")).isEmpty();
    m.expect(List.of(re("st.*end")));
    assertThat(m.feed("st..end")).map(MatchResult::text).contains("st..end");
  }

  @Test
  void literalLongerThanTheWindowStillMatchesAcrossFeeds() {
    String prompt = "Please enter the passphrase: ";
    PromptMatcher m = new PromptMatcher(4);
    m.expect(List.of(lit(prompt)));
    String text = "x".repeat(50) + prompt;
    Optional<MatchResult> r = Optional.empty();
    for (int i = 0; i < text.length() && r.isEmpty(); i += 3) {
      r = m.feed(text.substring(i, Math.min(text.length(), i + 3)));
    }
    assertThat(r).map(MatchResult::start).contains(50L);
  }

  @Test
  void emptyFeedIsHarmless() {
    PromptMatcher m = expecting(lit("x"));
    assertThat(m.feed("")).isEmpty();
    assertThat(m.received()).isZero();
  }

  @Test
  void rejectsANonPositiveWindow() {
    assertThatThrownBy(() -> new PromptMatcher(0)).isInstanceOf(IllegalArgumentException.class);
  }

  // --- bounded work and memory: counted, never timed ---

  private static final String PROMPT = "Password: ";
  // Near misses ("Pass", "Password" without ": ") make the overlap matter.
  private static final String FLOOD_LINE = "Pass 12345 Password-ish output, (yes/n $ x\n";
  private static final int TEN_MB = 10 * 1024 * 1024;

  private static void floodThenPrompt(PromptMatcher m, PatternSpec branch, int chunk) {
    m.expect(List.of(branch));
    String block = FLOOD_LINE.repeat(chunk / FLOOD_LINE.length() + 2);
    long fed = 0;
    int offset = 0;
    while (fed < TEN_MB) {
      // Chunks do not align with lines: the prompt's prefix lands on every boundary.
      int n = (int) Math.min(chunk, TEN_MB - fed);
      String piece = block.substring(offset % FLOOD_LINE.length(),
          offset % FLOOD_LINE.length() + n);
      offset += n;
      fed += n;
      assertThat(m.feed(piece)).isEmpty();
      assertThat(m.buffered()).isLessThanOrEqualTo(2 * m.window() + chunk);
    }
    MatchResult r = m.feed("end " + PROMPT).orElseThrow();
    assertThat(r.start()).isEqualTo(TEN_MB + 4);
    assertThat(r.before()).endsWith("end ").hasSizeLessThanOrEqualTo(m.window());
  }

  @Test
  void literalFloodIn64KiBChunksIsSearchedOnce() {
    PromptMatcher m = new PromptMatcher();
    int chunk = 64 * 1024;
    floodThenPrompt(m, lit(PROMPT), chunk);
    long chunks = TEN_MB / chunk + 1;
    assertThat(m.examined()).isLessThanOrEqualTo(TEN_MB + chunks * PROMPT.length() + 64);
  }

  @Test
  void literalFloodInTinyChunksIsSearchedOnce() {
    PromptMatcher m = new PromptMatcher();
    floodThenPrompt(m, lit(PROMPT), 3);
    // Each feed looks at its own 3 chars plus an overlap of at most PROMPT.length() - 1.
    long feeds = TEN_MB / 3 + 2;
    assertThat(m.examined()).isLessThanOrEqualTo(feeds * (3 + PROMPT.length() - 1));
  }

  @Test
  void regexFloodIsSearchedInLinearWork() {
    PromptMatcher m = new PromptMatcher();
    floodThenPrompt(m, re("Pass\\w+: "), 64 * 1024);
    assertThat(m.examined()).isLessThanOrEqualTo(3L * TEN_MB);
  }

  @Test
  void regexFloodInTinyChunksIsSearchedInLinearWork() {
    PromptMatcher m = new PromptMatcher();
    floodThenPrompt(m, re("(?<pw>Password): "), 5);
    assertThat(m.examined()).isLessThanOrEqualTo(4L * TEN_MB);
  }

  @Test
  void aRegexThatCanAlwaysGoOnIsBoundedByTheWindow() {
    // After "Login:" every position may still match: only the window bounds the rescans.
    PromptMatcher m = new PromptMatcher(64);
    m.expect(List.of(re("Login:.*Password:")));
    m.feed("Login:");
    int feeds = 100_000;
    for (int i = 0; i < feeds; i++) {
      assertThat(m.feed(i % 50 == 0 ? "\n" : "x")).isEmpty();
    }
    assertThat(m.examined()).isLessThanOrEqualTo((long) feeds * (64 + 2) + 64);
    assertThat(m.buffered()).isLessThanOrEqualTo(2 * 64 + 1);
  }

  @Test
  void aDeadPrefixIsNotRescannedWhenFedSlowly() {
    PromptMatcher m = new PromptMatcher();
    m.expect(List.of(re("\\(yes/no\\)\\? ")));
    int feeds = 200_000;
    for (int i = 0; i < feeds; i++) {
      assertThat(m.feed("ab")).isEmpty();
    }
    // Each char is probed about once; without the safe start each feed would rescan 64 Ki chars.
    assertThat(m.examined()).isLessThanOrEqualTo(4L * 2 * feeds);
    assertThat(m.feed("(yes/no)? ")).map(MatchResult::start).contains(2L * feeds);
  }

  @Test
  void floodBetweenStepsKeepsMemoryBounded() {
    PromptMatcher m = new PromptMatcher(1024);
    String chunk = "z".repeat(100);
    for (int i = 0; i < 100_000; i++) {
      m.feed(chunk);
      assertThat(m.buffered()).isLessThanOrEqualTo(2 * 1024 + 100);
    }
    assertThat(m.unmatched().length()).isBetween(1024, 2 * 1024 + 100);
    assertThat(m.received()).isEqualTo(10_000_000L);
    assertThat(m.position() + m.unmatched().length()).isEqualTo(m.received());
  }
}
