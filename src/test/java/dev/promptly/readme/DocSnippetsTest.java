package dev.promptly.readme;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.MatchResult;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every Java example in README.md and in the Javadoc of the public packages ({@code <pre>{@code
 * ...}</pre>} in {@code dev.promptly.api} and {@code dev.promptly.junit}) is, line for line, a
 * region of a test source that the build compiles and runs: {@link ReadmeExamplesTest}, or the
 * tests of src/it/junit-consumer (a user's project, run by {@code mvn verify}). A region is the
 * code between {@code // tag::NAME[]} and {@code // end::NAME[]}, each part with its common
 * indentation removed; several parts of one name are joined. So an example cannot rot: changing
 * the API breaks its test, changing the text without the test breaks this one.
 */
class DocSnippetsTest {
  private static final Pattern TAG = Pattern.compile("//\\s*(tag|end)::([\\w.-]+)\\[\\]");
  private static final List<Path> EXAMPLE_SOURCES = List.of(
      Path.of("src/test/java/dev/promptly/readme"), Path.of("src/it/junit-consumer/src/test/java"));
  private static final List<Path> PUBLIC_PACKAGES = List.of(
      Path.of("src/main/java/dev/promptly/api"), Path.of("src/main/java/dev/promptly/junit"));

  /** An example as a document shows it, and where. */
  record Snippet(String where, String code) {
  }

  @Test
  void everyJavaBlockOfTheReadmeIsARegionOfATestThatRuns() {
    List<Snippet> blocks = readmeBlocks(Path.of("README.md"));
    assertThat(blocks).as("java blocks in README.md").hasSizeGreaterThanOrEqualTo(5);
    assertAllAreRegions(blocks);
  }

  @Test
  void everyJavadocExampleOfThePublicPackagesIsARegionOfATestThatRuns() {
    List<Snippet> examples = new ArrayList<>();
    for (Path root : PUBLIC_PACKAGES) {
      for (Path file : javaFiles(root)) {
        examples.addAll(javadocExamples(file));
      }
    }
    assertThat(examples).as("Javadoc examples").isNotEmpty();
    assertAllAreRegions(examples);
  }

  @Test
  void theExamplesUseOnlyPublicTypes() {
    Pattern internal = Pattern.compile(
        "^import (static )?dev\\.promptly\\.(?!api\\.|junit\\.).*", Pattern.MULTILINE);
    for (Path file : exampleFiles()) {
      assertThat(internal.matcher(read(file)).results().map(MatchResult::group).toList())
          .as("%s imports more than dev.promptly.api and dev.promptly.junit", file).isEmpty();
    }
  }

  @Test
  void regionsAreFoundAndJoined() {
    Map<String, String> regions = regions("""
          // tag::a[]
          int x = 1;
          // tag::b[]
            x++;
          // end::b[]
          // end::a[]
          assert x == 2;
        // tag::a[]
        System.out.println(x);
        // end::a[]
        """, "T.java");
    assertThat(regions).containsEntry("a", "int x = 1;\n  x++;\nSystem.out.println(x);")
        .containsEntry("b", "x++;");
  }

  private static void assertAllAreRegions(List<Snippet> snippets) {
    Map<String, String> regions = new LinkedHashMap<>();
    for (Path file : exampleFiles()) {
      regions(read(file), file.toString()).forEach((name, code) -> {
        assertThat(regions.put(name, code)).as("region %s defined twice", name).isNull();
      });
    }
    List<String> problems = new ArrayList<>();
    for (Snippet s : snippets) {
      if (!regions.containsValue(s.code())) {
        problems.add(s.where() + ": this example is no region of a test that runs it."
            + nearest(s.code(), regions) + "\n--- example ---\n" + s.code());
      }
    }
    assertThat(problems).as("examples the build does not run").isEmpty();
  }

  /** The region sharing the most lines with {@code code}, and its first differing line. */
  private static String nearest(String code, Map<String, String> regions) {
    Set<String> lines = new HashSet<>(code.lines().toList());
    String best = null;
    long bestShared = 0;
    for (Map.Entry<String, String> e : regions.entrySet()) {
      long shared = e.getValue().lines().filter(lines::contains).count();
      if (shared > bestShared) {
        bestShared = shared;
        best = e.getKey();
      }
    }
    if (best == null) {
      return " No region shares a line with it.";
    }
    List<String> a = code.lines().toList();
    List<String> b = regions.get(best).lines().toList();
    int i = 0;
    while (i < a.size() && i < b.size() && a.get(i).equals(b.get(i))) {
      i++;
    }
    return " Nearest region: " + best + ", differing at its line " + (i + 1) + ":\n  example: "
        + (i < a.size() ? a.get(i) : "(ends)") + "\n  region:  " + (i < b.size() ? b.get(i)
        : "(ends)");
  }

  /** The tagged regions of one source file, by name. */
  static Map<String, String> regions(String source, String file) {
    Map<String, List<String>> parts = new LinkedHashMap<>();
    Map<String, List<String>> open = new LinkedHashMap<>();
    int number = 0;
    for (String line : source.lines().toList()) {
      number++;
      Matcher m = TAG.matcher(line);
      if (m.find()) {
        String name = m.group(2);
        if (m.group(1).equals("tag")) {
          assertThat(open.put(name, new ArrayList<>())).as("%s:%d: tag %s opened twice", file,
              number, name).isNull();
        } else {
          List<String> part = open.remove(name);
          assertThat(part).as("%s:%d: end of %s without its tag", file, number, name).isNotNull();
          parts.computeIfAbsent(name, k -> new ArrayList<>()).add(dedent(part));
        }
        continue;
      }
      open.values().forEach(part -> part.add(line));
    }
    assertThat(open.keySet()).as("%s: tags never ended", file).isEmpty();
    Map<String, String> regions = new LinkedHashMap<>();
    parts.forEach((name, p) -> regions.put(name, String.join("\n", p).strip()));
    return regions;
  }

  private static String dedent(List<String> lines) {
    int indent = lines.stream().filter(l -> !l.isBlank())
        .mapToInt(l -> l.length() - l.stripLeading().length()).min().orElse(0);
    return String.join("\n", lines.stream()
        .map(l -> l.isBlank() ? "" : l.substring(indent).stripTrailing()).toList());
  }

  /** The fenced {@code java} blocks of a Markdown file. */
  static List<Snippet> readmeBlocks(Path readme) {
    List<Snippet> blocks = new ArrayList<>();
    List<String> lines = read(readme).lines().toList();
    for (int i = 0; i < lines.size(); i++) {
      if (lines.get(i).strip().equals("```java")) {
        int start = i + 1;
        int end = start;
        while (!lines.get(end).strip().equals("```")) {
          end++;
        }
        blocks.add(new Snippet(readme + ":" + (start + 1), dedent(lines.subList(start, end))
            .strip()));
        i = end;
      }
    }
    return blocks;
  }

  /** The {@code <pre>{@code ...}</pre>} examples of one source file's Javadoc. */
  static List<Snippet> javadocExamples(Path file) {
    List<Snippet> examples = new ArrayList<>();
    List<String> lines = read(file).lines().toList();
    for (int i = 0; i < lines.size(); i++) {
      if (lines.get(i).contains("<pre>{@code")) {
        List<String> code = new ArrayList<>();
        int j = i + 1;
        while (!lines.get(j).contains("}</pre>")) {
          code.add(lines.get(j).replaceFirst("^\\s*\\* ?", ""));
          j++;
        }
        examples.add(new Snippet(file + ":" + (i + 2), dedent(code).strip()));
        i = j;
      }
    }
    return examples;
  }

  /** The test sources that hold examples (not this test, whose own samples are no examples). */
  private static List<Path> exampleFiles() {
    List<Path> files = new ArrayList<>();
    for (Path root : EXAMPLE_SOURCES) {
      javaFiles(root).stream()
          .filter(f -> !f.getFileName().toString().equals("DocSnippetsTest.java"))
          .forEach(files::add);
    }
    return files;
  }

  private static List<Path> javaFiles(Path root) {
    try (Stream<Path> files = Files.walk(root)) {
      return files.filter(f -> f.toString().endsWith(".java")).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String read(Path file) {
    try {
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
