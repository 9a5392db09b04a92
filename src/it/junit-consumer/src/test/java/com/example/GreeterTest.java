package com.example;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.promptly.api.*;
import dev.promptly.junit.PromptlyExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The README's ten-line test (and PromptlyExtension's Javadoc example), compiled and run against
 * the installed jar: the region between the tags is what they show (DocSnippetsTest).
 */
// tag::junit-test[]
@ExtendWith(PromptlyExtension.class)
class GreeterTest {
  @Test
  void greets(Expect expect) {
    BlockingSession s = expect.spawn("python3", "src/test/programs/greeter.py");
    s.expect("Введите имя: ");
    s.sendLine("Zoot");
    assertEquals("Zoot", s.expect(Expectation.regex("Вы ввели имя (?<who>\\w+)")).group("who"));
    assertEquals(0, s.exit().code());
  }
}
// end::junit-test[]
