package dev.promptly.junit;

import dev.promptly.api.RunOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/** Every example in dsl-examples runs and passes, so no example rots (STYLE.md). */
class DslExamplesTest {
  @TestFactory
  Stream<DynamicTest> examples() throws IOException {
    // dsl-examples/ssh needs an sshd and an inventory (-i): SshRunTest runs it against a real one.
    // dsl-examples/person needs a person at a terminal: RecordTest and InteractTest play one.
    try (Stream<Path> walk = Files.walk(Path.of("dsl-examples"))) {
      List<Path> files = walk.filter(Files::isRegularFile)
          .filter(p -> p.toString().endsWith(".yaml") || p.toString().endsWith(".yml"))
          .filter(p -> !p.startsWith(Path.of("dsl-examples", "ssh")))
          .filter(p -> !p.startsWith(Path.of("dsl-examples", "person")))
          // Procedures are included by the examples, not dialogues of their own.
          .filter(p -> !p.startsWith(Path.of("dsl-examples", "procedures"))).sorted().toList();
      return DialogueTests.files(files, new RunOptions());
    }
  }
}
