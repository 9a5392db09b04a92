package dev.promptly.cli;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code promptly schema}: the JSON Schema (draft 2020-12) of dialogue files, shipped in the jar,
 * for editors: {@code # yaml-language-server: $schema=...} in a dialogue makes VS Code (the YAML
 * extension) and IntelliJ validate and complete it.
 */
@Command(name = "schema", description = "Prints the JSON Schema (draft 2020-12) of dialogue files.")
public final class SchemaCommand implements Callable<Integer> {
  /** Where the schema is in the jar. */
  public static final String RESOURCE = "/schema/promptly-dialogue.schema.json";

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws IOException {
    try (InputStream in = SchemaCommand.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        spec.commandLine().getErr().println("promptly: the schema is missing from this build");
        return PromptlyCommand.BAD_INPUT;
      }
      spec.commandLine().getOut().print(new String(in.readAllBytes(), StandardCharsets.UTF_8));
      spec.commandLine().getOut().flush();
    }
    return PromptlyCommand.PASSED;
  }
}
