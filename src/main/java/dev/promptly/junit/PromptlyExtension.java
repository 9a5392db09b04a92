package dev.promptly.junit;

import dev.promptly.api.Expect;
import dev.promptly.api.Promptly;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Sessions inside ordinary tests, cleaned up whatever happens: a parameter of type
 * {@link Expect} (the blocking facade) is injected, and after the test (after its
 * {@code @AfterEach} methods, whether it passed, failed or threw) every child started through it
 * that is still running is terminated with its process group and reaped.
 *
 * <pre>{@code
 * @ExtendWith(PromptlyExtension.class)
 * class GreeterTest {
 *   @Test
 *   void greets(Expect expect) {
 *     BlockingSession s = expect.spawn("python3", "src/test/programs/greeter.py");
 *     s.expect("Введите имя: ");
 *     s.sendLine("Zoot");
 *     assertEquals("Zoot", s.expect(Expectation.regex("Вы ввели имя (?<who>\\w+)")).group("who"));
 *     assertEquals(0, s.exit().code());
 *   }
 * }
 * }</pre>
 *
 * <p>Injected into a test method or {@code @BeforeEach}, it lives for that test; into a
 * constructor or a static {@code @BeforeAll}, for the class (cleaned up after all its tests).
 */
public final class PromptlyExtension implements ParameterResolver, AfterEachCallback,
    AfterAllCallback {
  private static final ExtensionContext.Namespace NAMESPACE =
      ExtensionContext.Namespace.create(PromptlyExtension.class);
  private static final String KEY = "expect";

  /** The extension, as {@code @ExtendWith} creates it. */
  public PromptlyExtension() {
  }

  /**
   * Whether this extension injects the parameter: it does for {@link Expect}.
   *
   * @param parameter the parameter
   * @param context the test's context
   * @return true for a parameter of type {@link Expect}
   */
  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    return parameter.getParameter().getType() == Expect.class;
  }

  /**
   * The {@link Expect} of the current test (or class), created on first use.
   *
   * @param parameter the parameter
   * @param context the test's context
   * @return the blocking facade whose children are cleaned up after the test
   */
  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    return context.getStore(NAMESPACE).getOrComputeIfAbsent(KEY, k -> Promptly.blocking(),
        Expect.class);
  }

  /**
   * Terminates and reaps every child the test started and left running.
   *
   * @param context the test's context
   */
  @Override
  public void afterEach(ExtensionContext context) {
    cleanUp(context);
  }

  /**
   * Terminates and reaps every child started for the whole class.
   *
   * @param context the class's context
   */
  @Override
  public void afterAll(ExtensionContext context) {
    cleanUp(context);
  }

  private static void cleanUp(ExtensionContext context) {
    Expect expect = context.getStore(NAMESPACE).remove(KEY, Expect.class);
    if (expect != null) {
      expect.close();
    }
  }
}
