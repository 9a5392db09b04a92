package dev.promptly.hostile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.promptly.cli.PromptlyCommand;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Mutants through {@code promptly run}, not only {@code check} (issue 13): small dialogues that
 * use most of the language (again, captures, regexes, matrix, secrets, fallbacks, timeout
 * branches, a pty) are mutated with {@link CheckFuzzTest#mutate} and each mutant is run in
 * process with real children. Every one must end (no hang: a preemptive limit per mutant), with
 * exit 0, 1 or 2 and no stack trace. CI runs {@link #MUTANTS} of them;
 * {@code -Dpromptly.fuzz.run=5000} runs the full 5,000.
 */
class RunFuzzTest {
  static final long SEED = Long.getLong("promptly.fuzz.seed", 0x5EED_F022L);
  static final int MUTANTS = Integer.getInteger("promptly.fuzz.run", 600);
  /** A mutant's own limits are kept at most this long, so a run ends in bounded time. */
  static final Pattern TIMEOUT = Pattern.compile("timeout:\\s*(\\S*)");

  static final String[] FIXTURES = {
      """
      name: again-${who:-x}
      vars: {who: world}
      command: [sh, -c, "printf 'n=1\\\\nn=2\\\\ndone> '; read x; echo got $x"]
      timeout: 2s
      steps:
        - expect:
            - match: {regex: 'n=(?<n>\\d)\\n'}
              again: true
            - match: "done> "
              sendline: "${who} ${n}"
            - match: timeout
              fail: "no prompt"
        - expect: {regex: 'got (?<got>\\w+)'}
        - expect: eof
      """,
      """
      name: matrix
      secret: [pw]
      matrix: {pw: [alpha-1, beta-2], n: [1, 2]}
      command: [cat]
      timeout: 1s
      steps:
        - sendline: "${pw}:${n}:${env:HOME:-none}"
        - expect: "${pw}:${n}"
        - close: stdin
        - expect: eof
      exit: 0
      """,
      """
      name: pty
      pty: true
      size: 30x100
      command: [sh, -c, "printf 'Name: '; read n; echo hi $n; exit 3"]
      timeout: 2s
      exit: 3
      steps:
        - expect: "Name: "
          sendline: "Zoot"
        - expect: {regex: 'hi (?<name>\\S+)'}
        - expect: eof
      """,
      """
      name: runbook
      vars: {os: debian, n: "3"}
      secret: [pw]
      command: [sh, -c, "printf '[sudo] pw: '; read p; printf 'go> '; read a; echo got $a; echo end"]
      timeout: 2s
      always:
        - match: "[sudo] pw: "
          sendline: "${pw:-hunter22}"
          when: defined(pw) or ${os} == debian
      steps:
        - log: "starting on ${os}"
        - set: {m: "${n}1", pw: "${n}-secret"}
        - expect:
            - match: "go> "
              sendline: "${m}"
              steps:
                - expect: {regex: 'got (?<got>\\d+)'}
                - include: proc.yaml
                  vars: {word: "${got}"}
            - match: timeout
              fail: "no prompt"
          retry: {times: 1, delay: 100ms}
        - sleep: 100ms
          when: ${m} > 4 and not (${os} =~ '^alp')
        - expect: eof
      """,
      """
      name: branches
      command: [printf, "a\\nb\\nc\\n"]
      timeout: 1s
      exit: any
      steps:
        - expect:
            - match: "b"
            - match: {regex: '[ac]'}
              again: true
            - match: eof
        - expect:
            - match: timeout
            - match: eof
      """,
  };

  @TempDir
  Path dir;

  @Test
  void mutantsRunToAnEndWithoutACrash() throws IOException {
    // The procedure the runbook fixture includes (issue 19).
    Files.writeString(dir.resolve("proc.yaml"), """
        vars: {word: x}
        steps:
          - log: "word ${word}"
          - expect: end
        """);
    Random random = new Random(SEED);
    int[] codes = new int[3];
    int skipped = 0;
    List<String> failures = new ArrayList<>();
    long t0 = System.nanoTime();
    for (int i = 0; i < MUTANTS; i++) {
      byte[] original = FIXTURES[i % FIXTURES.length].getBytes(StandardCharsets.UTF_8);
      byte[] mutant = CheckFuzzTest.mutate(original, random);
      if (!limitsKept(new String(mutant, StandardCharsets.UTF_8))) {
        skipped++;
        continue;
      }
      Path f = dir.resolve("mutant-" + i + ".yaml");
      Files.write(f, mutant);
      String[] outcome = new String[1];
      int[] code = new int[1];
      assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        code[0] = PromptlyCommand.execute(new String[] {"run", "-q", "-j", "4", "--timeout",
            "2s", "--grace", "200ms", f.toString()}, new PrintWriter(out), new PrintWriter(err));
        outcome[0] = err.toString();
      }, () -> "mutant " + f + " did not end:\n" + new String(mutant, StandardCharsets.UTF_8));
      if (code[0] < 0 || code[0] > 2 || outcome[0].contains("Exception")
          || outcome[0].contains("\tat ")) {
        Path kept = Path.of("target/fuzz-failures").resolve(f.getFileName());
        Files.createDirectories(kept.getParent());
        Files.write(kept, mutant);
        failures.add(kept + ": exit " + code[0] + "\n" + outcome[0]);
      } else {
        codes[code[0]]++;
      }
      Files.delete(f);
    }
    System.out.printf("run fuzz: %d mutants in %d ms: %d passed, %d failed, %d refused,"
            + " %d skipped (a limit changed)%n", MUTANTS,
        (System.nanoTime() - t0) / 1_000_000, codes[0], codes[1], codes[2], skipped);
    assertThat(failures).as("mutants that crashed or answered badly (kept in target/)").isEmpty();
    // The pass means something: mutants both ran children and were refused.
    assertThat(codes[0] + codes[1]).isGreaterThan(MUTANTS / 20);
    assertThat(codes[2]).isGreaterThan(MUTANTS / 20);
  }

  /** False when a mutation changed a time limit: the mutant could rightly run for hours. */
  private static boolean limitsKept(String text) {
    Matcher m = TIMEOUT.matcher(text);
    while (m.find()) {
      if (!List.of("1s", "2s").contains(m.group(1))) {
        return false;
      }
    }
    // The runbook fixture's own sleep and retry are short; a mutated one may not be.
    String rest = text.replace("sleep: 100ms", "").replace("retry: {times: 1, delay: 100ms}", "");
    return !rest.contains("sleep") && !rest.contains("retry");
  }
}
