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
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Mutates every example dialogue a few thousand times in all (byte flips, deletions,
 * duplications, YAML's special characters inserted, truncations, lines swapped or re-indented),
 * with a fixed seed, and feeds each to {@code promptly check} in process: the answer is always
 * exit 0 or exit 2 with FILE:LINE:COLUMN problems, never an exception, each quickly.
 */
class CheckFuzzTest {
  static final long SEED = Long.getLong("promptly.fuzz.seed", 0x5EED_F022L);
  static final int MUTANTS_PER_EXAMPLE = Integer.getInteger("promptly.fuzz.mutants", 400);
  static final Duration EACH = Duration.ofSeconds(2);
  static final Path EXAMPLES = Path.of("dsl-examples");
  static final String[] SPECIAL = {
      "&a ", "*a", "&a [x, y]", "*a\n", "!!", "!!str ", "!!java.lang.Runtime ", "!x ", "{", "}",
      "[", "]", ":", ": ", "- ", "-", "\t", "\"", "'", "|", "|-\n", ">", "%", "%YAML 1.1\n",
      "@", "`", "#", "? ", "---\n", "...\n", ",", "${", "$${", "${x}", "${env:HOME}", "}", "\\",
      "\\x", "\\u12", "\u0000", "\uFEFF", "\u202E", "\n", "\r", "\r\n", "  ", "<<: *a\n",
      "regex: '(' ", "timeout: 0s", "-1", "99999999999999999999", ".inf", "~", "null", "yes",
      "Жж", "\uD83D\uDE00",
  };

  @TempDir
  Path dir;

  @Test
  void mutatedExamplesAreCheckedWithoutACrash() throws IOException {
    List<Path> examples;
    try (Stream<Path> s = Files.list(EXAMPLES)) {
      examples = s.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
    }
    assertThat(examples).hasSizeGreaterThanOrEqualTo(5);
    // Files the examples name (matrix values, children) resolve as they would beside them.
    try (Stream<Path> s = Files.list(EXAMPLES)) {
      for (Path p : s.filter(Files::isRegularFile).toList()) {
        if (!p.toString().endsWith(".yaml")) {
          Files.copy(p, dir.resolve(p.getFileName()));
        }
      }
    }
    // The procedures the examples include (issue 19), so mutants of them include real files.
    Path procedures = EXAMPLES.resolve("procedures");
    if (Files.isDirectory(procedures)) {
      Files.createDirectories(dir.resolve("procedures"));
      try (Stream<Path> s = Files.list(procedures)) {
        for (Path p : s.toList()) {
          Files.copy(p, dir.resolve("procedures").resolve(p.getFileName()));
        }
      }
    }
    Random random = new Random(SEED);
    int[] codes = new int[3];
    List<String> failures = new ArrayList<>();
    long t0 = System.nanoTime();
    assertTimeoutPreemptively(Duration.ofSeconds(120), () -> {
      for (Path example : examples) {
        byte[] original = Files.readAllBytes(example);
        for (int i = 0; i < MUTANTS_PER_EXAMPLE; i++) {
          byte[] mutant = mutate(original, random);
          Path f = dir.resolve(example.getFileName().toString()
              .replace(".yaml", "-" + i + ".yaml"));
          Files.write(f, mutant);
          String problem = check(f);
          if (problem != null) {
            Path kept = Path.of("target/fuzz-failures").resolve(f.getFileName());
            Files.createDirectories(kept.getParent());
            Files.write(kept, mutant);
            failures.add(kept + ": " + problem);
          } else {
            Files.delete(f);
          }
          codes[Math.min(2, lastCode)]++;
        }
      }
    });
    System.out.printf("fuzz: %d mutants of %d examples in %d ms: %d valid, %d refused%n",
        MUTANTS_PER_EXAMPLE * examples.size(), examples.size(),
        Duration.ofNanos(System.nanoTime() - t0).toMillis(), codes[0], codes[2]);
    assertThat(failures).as("mutants that crashed or answered badly (kept in target/)")
        .isEmpty();
    assertThat(codes[2]).as("refused mutants").isGreaterThan(MUTANTS_PER_EXAMPLE);
  }

  private int lastCode;

  /** Null when the answer is right; else what was wrong. */
  private String check(Path f) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    long t0 = System.nanoTime();
    int code;
    try {
      code = PromptlyCommand.execute(new String[] {"check", f.toString()},
          new PrintWriter(out), new PrintWriter(err));
    } catch (Throwable t) {
      return "threw " + t;
    }
    lastCode = code;
    Duration took = Duration.ofNanos(System.nanoTime() - t0);
    if (took.compareTo(EACH) > 0) {
      return "took " + took.toMillis() + " ms";
    }
    String e = err.toString();
    if (e.contains("Exception") || e.contains("\tat ") || e.contains("internal error")
        || e.contains("Error:")) {
      return "exit " + code + " with " + e;
    }
    if (code == PromptlyCommand.PASSED) {
      return e.isEmpty() ? null : "exit 0 with " + e;
    }
    if (code != PromptlyCommand.BAD_INPUT) {
      return "exit " + code + ": " + e;
    }
    List<String> lines = e.lines().toList();
    // In an included file: the include chain, FILE:LINE:COLUMN -> INCLUDED:LINE:COLUMN: ...
    Pattern problem = Pattern.compile(Pattern.quote(f.toString())
        + ":\\d+:\\d+(?: -> [^ ]+:\\d+:\\d+)*: .+");
    for (int i = 0; i < lines.size() - 1; i++) {
      if (!problem.matcher(lines.get(i)).matches()) {
        return "not FILE:LINE:COLUMN: " + lines.get(i);
      }
    }
    if (lines.isEmpty() || !lines.get(lines.size() - 1).endsWith("error(s); nothing to run")) {
      return "no count line: " + e;
    }
    return null;
  }

  /** One to four mutations of {@code in}. */
  static byte[] mutate(byte[] in, Random r) {
    byte[] b = in;
    int n = 1 + r.nextInt(4);
    for (int k = 0; k < n; k++) {
      b = mutateOnce(b, r);
    }
    return b;
  }

  private static byte[] mutateOnce(byte[] b, Random r) {
    if (b.length == 0) {
      return SPECIAL[r.nextInt(SPECIAL.length)].getBytes(StandardCharsets.UTF_8);
    }
    int at = r.nextInt(b.length);
    switch (r.nextInt(8)) {
      case 0 -> { // flip a byte
        byte[] c = b.clone();
        c[at] = (byte) r.nextInt(256);
        return c;
      }
      case 1 -> { // delete a range
        int len = Math.min(b.length - at, 1 + r.nextInt(16));
        return concat(Arrays.copyOf(b, at), Arrays.copyOfRange(b, at + len, b.length));
      }
      case 2 -> { // duplicate a range
        int len = Math.min(b.length - at, 1 + r.nextInt(64));
        return concat(Arrays.copyOf(b, at + len), Arrays.copyOfRange(b, at, b.length));
      }
      case 3, 4 -> { // insert something YAML (or promptly) gives a meaning
        byte[] s = SPECIAL[r.nextInt(SPECIAL.length)].getBytes(StandardCharsets.UTF_8);
        return concat(Arrays.copyOf(b, at), s, Arrays.copyOfRange(b, at, b.length));
      }
      case 5 -> { // truncate
        return Arrays.copyOf(b, at);
      }
      case 6 -> { // swap two lines
        List<String> lines = new ArrayList<>(Arrays.asList(
            new String(b, StandardCharsets.ISO_8859_1).split("\n", -1)));
        int i = r.nextInt(lines.size());
        int j = r.nextInt(lines.size());
        String t = lines.get(i);
        lines.set(i, lines.get(j));
        lines.set(j, t);
        return String.join("\n", lines).getBytes(StandardCharsets.ISO_8859_1);
      }
      default -> { // re-indent a line
        List<String> lines = new ArrayList<>(Arrays.asList(
            new String(b, StandardCharsets.ISO_8859_1).split("\n", -1)));
        int i = r.nextInt(lines.size());
        String l = lines.get(i);
        lines.set(i, r.nextBoolean() ? " ".repeat(1 + r.nextInt(4)) + l : l.stripLeading());
        return String.join("\n", lines).getBytes(StandardCharsets.ISO_8859_1);
      }
    }
  }

  private static byte[] concat(byte[]... parts) {
    int n = 0;
    for (byte[] p : parts) {
      n += p.length;
    }
    byte[] out = new byte[n];
    int at = 0;
    for (byte[] p : parts) {
      System.arraycopy(p, 0, out, at, p.length);
      at += p.length;
    }
    return out;
  }
}
