package com.example;

import dev.promptly.junit.DialogueTests;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/** Every dialogue file under src/test/dialogues, one test per run. */
class DialogueFilesTest {
  @TestFactory
  Stream<DynamicTest> dialogues() {
    return DialogueTests.from(Path.of("src/test/dialogues"));
  }
}
