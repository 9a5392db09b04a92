package dev.promptly.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/** Every dialogue in dsl-examples runs and passes, through the command line, so none rots. */
class ExamplesTest {
  private static final Path EXAMPLES = Path.of("dsl-examples");

  @TempDir
  Path dir;

  static List<Path> examples() throws IOException {
    try (Stream<Path> files = Files.list(EXAMPLES)) {
      return files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList();
    }
  }

  @TestFactory
  Stream<DynamicTest> everyExamplePasses() throws IOException {
    return examples().stream().map(f -> DynamicTest.dynamicTest(f.getFileName().toString(),
        () -> assertPasses("run", "-q", f.toString())));
  }

  @Test
  void theKeyMadeBySshKeygenOpensWithItsPassphrase() throws Exception {
    Path key = dir.resolve("id_ed25519");
    assertPasses("run", "-q", "--var", "key=" + key, "dsl-examples/ssh-keygen.yaml");
    assertThat(key).exists();
    assertThat(dir.resolve("id_ed25519.pub")).content().startsWith("ssh-ed25519 ")
        .contains(" promptly");

    Result right = exec(List.of("ssh-keygen", "-y", "-P", "correct horse battery staple", "-f",
        key.toString()), null);
    assertThat(right.code()).as(right.output()).isZero();
    assertThat(right.output()).startsWith("ssh-ed25519 ");
    Result wrong = exec(List.of("ssh-keygen", "-y", "-P", "wrong", "-f", key.toString()), null);
    assertThat(wrong.code()).as(wrong.output()).isNotZero();
  }

  /**
   * All the examples again in a JVM of their own: with the heap capped at 64 MiB (the flood's
   * million lines must stream through, not pile up), and with TMPDIR pointing at an empty folder
   * that must still be empty afterwards (every temporary folder an example makes is removed).
   */
  @Test
  void examplesPassInA64MegabyteHeapAndLeaveNoTemporaryFiles() throws Exception {
    Path tmp = Files.createDirectory(dir.resolve("tmp"));
    List<String> cmd = new ArrayList<>(List.of(javaBinary(), "-Xmx64m",
        "-cp", System.getProperty("java.class.path"), Main.class.getName(), "run", "-q"));
    examples().forEach(f -> cmd.add(f.toString()));
    Result r = exec(cmd, tmp);
    assertThat(r.code()).as(r.output()).isZero();
    assertThat(r.output()).contains(examples().size() > 0 ? " passed, 0 failed" : "");
    try (Stream<Path> left = Files.list(tmp)) {
      assertThat(left).as("left in TMPDIR").isEmpty();
    }
  }

  private static void assertPasses(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = PromptlyCommand.execute(args, new PrintWriter(out), new PrintWriter(err));
    assertThat(code).as("promptly %s\n%s%s", String.join(" ", args), out, err).isZero();
  }

  private record Result(int code, String output) {
  }

  private static Result exec(List<String> command, Path tmpdir) throws Exception {
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
    if (tmpdir != null) {
      pb.environment().put("TMPDIR", tmpdir.toString());
    }
    Process p = pb.start();
    // Read while it runs (a full pipe would stall it); the reader ends at the child's exit.
    var output = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
      try {
        return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      } catch (IOException e) {
        return e.toString();
      }
    });
    if (!p.waitFor(120, TimeUnit.SECONDS)) {
      p.descendants().forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly().waitFor();
      throw new AssertionError("timed out: " + command);
    }
    return new Result(p.exitValue(), output.get(10, TimeUnit.SECONDS));
  }

  private static String javaBinary() {
    return ProcessHandle.current().info().command()
        .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
  }
}
