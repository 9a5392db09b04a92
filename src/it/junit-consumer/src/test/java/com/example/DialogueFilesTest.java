package com.example;

import dev.promptly.junit.DialogueTests;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Every dialogue file under src/test/dialogues, one test per run: the README's and DialogueTests'
 * example (the region between the tags, DocSnippetsTest).
 */
// tag::dialogue-files[]
class DialogueFilesTest {
  @TestFactory
  Stream<DynamicTest> dialogues() {
    return DialogueTests.from(Path.of("src/test/dialogues"));   // *.yaml, *.yml, subfolders too
  }
}
// end::dialogue-files[]
