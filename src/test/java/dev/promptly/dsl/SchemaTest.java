package dev.promptly.dsl;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import dev.promptly.cli.PromptlyCommand;
import dev.promptly.cli.SchemaCommand;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/** The dialogue JSON Schema that {@code promptly schema} prints agrees with the parser. */
class SchemaTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static JsonNode schemaJson() throws IOException {
    try (InputStream in = SchemaCommand.class.getResourceAsStream(SchemaCommand.RESOURCE)) {
      assertThat(in).as("schema in the jar").isNotNull();
      return JSON.readTree(in);
    }
  }

  private static Set<String> keys(JsonNode schema, String def) {
    Set<String> keys = new TreeSet<>();
    Iterator<String> it = schema.path("$defs").path(def).path("properties").fieldNames();
    it.forEachRemaining(keys::add);
    return keys;
  }

  @Test
  void everyKeyTheParserAcceptsIsInTheSchemaAndTheReverse() throws IOException {
    JsonNode s = schemaJson();
    assertThat(keys(s, "dialogue")).isEqualTo(new TreeSet<>(DialogueParser.DIALOGUE_KEYS));
    assertThat(keys(s, "step")).isEqualTo(new TreeSet<>(StepParser.STEP_KEYS));
    assertThat(keys(s, "branch")).isEqualTo(new TreeSet<>(StepParser.BRANCH_KEYS));
    assertThat(keys(s, "alwaysBranch")).isEqualTo(new TreeSet<>(StepParser.ALWAYS_KEYS));
    assertThat(keys(s, "procedure")).isEqualTo(new TreeSet<>(IncludeParser.KEYS));
    Set<String> ssh = new TreeSet<>();
    s.path("$defs").path("dialogue").path("properties").path("ssh").path("oneOf").get(1)
        .path("properties").fieldNames().forEachRemaining(ssh::add);
    assertThat(ssh).isEqualTo(new TreeSet<>(DialogueParser.SSH_KEYS));
    Set<String> retry = new TreeSet<>();
    s.path("$defs").path("retry").path("oneOf").get(1).path("properties").fieldNames()
        .forEachRemaining(retry::add);
    assertThat(retry).isEqualTo(new TreeSet<>(StepParser.RETRY_KEYS));
    Set<String> interact = new TreeSet<>();
    s.path("$defs").path("step").path("properties").path("interact").path("properties")
        .fieldNames().forEachRemaining(interact::add);
    assertThat(interact).isEqualTo(new TreeSet<>(InteractParser.KEYS));
    Set<String> pattern = new TreeSet<>();
    s.path("$defs").path("pattern").path("oneOf").get(1).path("properties").fieldNames()
        .forEachRemaining(pattern::add);
    Set<String> expected = new TreeSet<>(PatternParser.PATTERN_KEYS);
    expected.add("screen");
    assertThat(pattern).isEqualTo(expected);
  }

  @Test
  void everyExampleIsValidAndAWrongKeyIsNot() throws IOException {
    JsonSchema schema;
    try (InputStream in = SchemaCommand.class.getResourceAsStream(SchemaCommand.RESOURCE)) {
      schema = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012).getSchema(in);
    }
    List<Path> files;
    try (Stream<Path> walk = Files.walk(Path.of("dsl-examples"))) {
      files = walk.filter(p -> p.toString().endsWith(".yaml") || p.toString().endsWith(".yml"))
          .sorted().toList();
    }
    assertThat(files).hasSizeGreaterThan(10);
    Load yaml = new Load(LoadSettings.builder().build());
    List<String> invalid = new ArrayList<>();
    for (Path f : files) {
      JsonNode doc = JSON.valueToTree(yaml.loadFromString(Files.readString(f)));
      Set<ValidationMessage> errors = schema.validate(doc);
      if (!errors.isEmpty()) {
        invalid.add(f + ": " + errors);
      }
    }
    assertThat(invalid).isEmpty();
    JsonNode wrong = JSON.valueToTree(yaml.loadFromString(
        "command: [cat]\nsteps:\n  - expect: x\n    retyr: 2\n"));
    assertThat(schema.validate(wrong)).isNotEmpty();
  }

  @Test
  void promptlySchemaPrintsIt() throws IOException {
    StringWriter out = new StringWriter();
    int code = PromptlyCommand.execute(new String[] {"schema"}, new PrintWriter(out),
        new PrintWriter(new StringWriter()));
    assertThat(code).isZero();
    assertThat(JSON.readTree(out.toString())).isEqualTo(schemaJson());
    StringWriter bash = new StringWriter();
    assertThat(PromptlyCommand.execute(new String[] {"completion", "zsh"}, new PrintWriter(bash),
        new PrintWriter(new StringWriter()))).isZero();
    assertThat(bash.toString()).contains("complete -F").contains("bashcompinit")
        .contains("schema").contains("--timeout");
  }
}
