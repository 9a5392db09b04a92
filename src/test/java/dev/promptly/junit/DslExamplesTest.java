package dev.promptly.junit;

import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/** Every example in dsl-examples runs and passes, so no example rots (STYLE.md). */
class DslExamplesTest {
  @TestFactory
  Stream<DynamicTest> examples() {
    return DialogueTests.from(Path.of("dsl-examples"));
  }
}
