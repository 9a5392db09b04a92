package dev.promptly.cli;

import static dev.promptly.cli.Cli.promptly;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import dev.promptly.engine.TestRuns;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.transform.stream.StreamSource;
import javax.xml.validation.SchemaFactory;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/** {@code promptly run} with --transcript, --junit, --json and -v, through the real command. */
class ReportsTest {
  private static final String PW = "hunter2-Sekrit";
  private static final String TOKEN = "tok-XYZ-987654";

  @TempDir
  Path dir;


  private static String read(Path p) throws Exception {
    return Files.readString(p, StandardCharsets.ISO_8859_1);
  }

  @Test
  void aSecretEchoedOnAPtyIsFoundNowhere() throws Exception {
    Path file = TestRuns.write(dir, "secret", """
        name: secret
        pty: true
        secret: [pw]
        command: [python3, %s]
        steps:
          - expect: "Password: "
            sendline: "${pw}"
          - expect: "Token: "
            sendline: "${token}"
            secret: true
          - expect: {regex: 'split=(?<got>\\S+)\\r?\\n'}
          - expect: "never printed"
            timeout: 1s
        """.formatted(TestRuns.CHILDREN.resolve("secret_echo.py")));
    Path transcripts = dir.resolve("t");
    Path junit = dir.resolve("reports/junit.xml");
    Path json = dir.resolve("reports/report.json");

    LoggerContext logback = (LoggerContext) LoggerFactory.getILoggerFactory();
    Logger promptlyLogger = logback.getLogger("promptly");
    ListAppender<ILoggingEvent> logs = new ListAppender<>();
    logs.setContext(logback);
    logs.start();
    promptlyLogger.addAppender(logs);
    Cli.Outcome o;
    try {
      o = promptly("run", "-v", "--var", "pw=" + PW, "--var", "token=" + TOKEN,
          "--grace", "500ms", "--transcript", transcripts.toString(),
          "--junit", junit.toString(), "--json", json.toString(), file.toString());
    } finally {
      promptlyLogger.detachAppender(logs);
    }

    assertThat(o.code()).as(o.err()).isEqualTo(PromptlyCommand.FAILED);
    // The run did what it should up to the last step: the secrets went through and came back.
    assertThat(o.err()).contains("step 4").contains("\"never printed\"").contains("******");
    assertThat(o.out()).contains("[secret] you typed ****** and ******");

    List<String> logLines = new ArrayList<>();
    logs.list.forEach(e -> logLines.add(e.getFormattedMessage()));
    assertThat(logLines).anyMatch(l -> l.contains("spawn pid"))
        .anyMatch(l -> l.contains("send \"******\\n\""))
        .anyMatch(l -> l.contains("step 1 matched"));

    List<Path> files;
    try (Stream<Path> s = Files.list(transcripts)) {
      files = s.sorted().toList();
    }
    assertThat(files).extracting(p -> p.getFileName().toString())
        .containsExactly("secret.cast", "secret.log", "secret.out", "secret.screen");
    String out = read(transcripts.resolve("secret.out"));
    assertThat(out).contains("you typed ****** and ******").contains("split=******");

    List<String> everything = new ArrayList<>(List.of(o.out(), o.err(), read(junit), read(json)));
    everything.addAll(logLines);
    for (Path f : files) {
      everything.add(read(f));
      // Each place must not hold the secret in any form it could take there.
    }
    for (String where : everything) {
      for (String secret : List.of(PW, TOKEN)) {
        assertThat(where).doesNotContain(secret)
            .doesNotContain(new String(secret.getBytes(StandardCharsets.UTF_8),
                StandardCharsets.ISO_8859_1));
      }
    }
    // The capture and the matched text are masked in the JSON as well.
    JsonNode report = new ObjectMapper().readTree(json.toFile());
    JsonNode steps = report.at("/runs/0/steps");
    assertThat(steps.get(2).at("/captures/got").asText()).isEqualTo("******");
    assertThat(steps.get(2).get("matched").asText()).startsWith("split=******");
    assertThat(validateJson(report)).isEmpty();
    validateJunit(junit);
  }

  @Test
  void aFailingRunsTranscriptHoldsEveryByteOfA50MbFlood() throws Exception {
    int mib = 50;
    Path file = TestRuns.write(dir, "flood", """
        name: flood
        command: [python3, %s, "%d"]
        timeout: 120s
        steps:
          - expect: "END-OF-FLOOD"
          - expect: "never printed"
            timeout: 300ms
        """.formatted(TestRuns.CHILDREN.resolve("flood_bytes.py"), mib));
    Path transcripts = dir.resolve("t");
    Path junit = dir.resolve("junit.xml");
    Path json = dir.resolve("report.json");
    Cli.Outcome o = promptly("run", "-q", "--grace", "500ms", "--transcript", transcripts.toString(),
        "--junit", junit.toString(), "--json", json.toString(), file.toString());
    assertThat(o.code()).as(o.err()).isEqualTo(PromptlyCommand.FAILED);
    assertThat(o.err()).contains("step 2").contains("timed out");

    MessageDigest want = MessageDigest.getInstance("SHA-256");
    byte[] block = new byte[256 * 4096];
    for (int i = 0; i < block.length; i++) {
      block[i] = (byte) i;
    }
    for (int i = 0; i < mib; i++) {
      want.update(block);
    }
    byte[] end = "END-OF-FLOOD\n".getBytes(StandardCharsets.US_ASCII);
    want.update(end);
    long size = (long) mib * block.length + end.length;

    Path out = transcripts.resolve("flood.out");
    assertThat(Files.size(out)).isEqualTo(size);
    MessageDigest got = MessageDigest.getInstance("SHA-256");
    try (InputStream in = Files.newInputStream(out)) {
      byte[] buf = new byte[1 << 16];
      for (int n; (n = in.read(buf)) > 0; ) {
        got.update(buf, 0, n);
      }
    }
    assertThat(HexFormat.of().formatHex(got.digest()))
        .isEqualTo(HexFormat.of().formatHex(want.digest()));
    assertThat(Files.exists(transcripts.resolve("flood.cast"))).as("no pty, no cast").isFalse();

    JsonNode report = new ObjectMapper().readTree(json.toFile());
    assertThat(validateJson(report)).isEmpty();
    JsonNode run = report.at("/runs/0");
    assertThat(run.get("bytesRead").asLong()).isEqualTo(size);
    assertThat(run.get("signal").asText()).isEqualTo("SIGTERM");
    // Invalid UTF-8 was replaced before the match: the text no longer maps back to bytes.
    assertThat(run.at("/steps/0/byteOffset").asLong()).isEqualTo(-1);
    assertThat(run.at("/transcript/out").asText()).isEqualTo(out.toAbsolutePath().toString());

    // The timeline accounts for every byte, and the binary tail still makes valid JUnit XML.
    String timeline = Files.readString(transcripts.resolve("flood.log"));
    long counted = timeline.lines().filter(l -> l.matches("[0-9.]+ [0-9]+ out [0-9]+"))
        .mapToLong(l -> Long.parseLong(l.substring(l.lastIndexOf(' ') + 1))).sum();
    assertThat(counted).isEqualTo(size);
    assertThat(timeline).contains("<< step 1 matched \"END-OF-FLOOD\" at byte -1")
        .contains("FAIL killed by SIGTERM");
    validateJunit(junit);
  }

  @Test
  void reportsCoverPassedAndFailedRunsAndLoadAsJunitXml() throws Exception {
    Path ok = TestRuns.write(dir, "greet", """
        command: [python3, -c, "n = input('Имя: '); print(f'Привет, {n}!'); print('\\x1b[31mred\\x07')"]
        matrix: {who: [Zoot, "a<b&c"]}
        steps:
          - expect: "Имя: "
            sendline: "${who}"
          - expect: {regex: 'Привет, (?<name>[^!]+)!'}
          - expect: eof
        """);
    Path bad = TestRuns.write(dir, "bad", """
        command: [sh, -c, "printf 'line one\\nline two\\n'; sleep 30"]
        steps:
          - expect: "line two"
          - expect:
              - match: "never"
              - match: {regex: 'nor\\s+this'}
            timeout: 400ms
        """);
    Path junit = dir.resolve("out/junit.xml");
    Path json = dir.resolve("out/report.json");
    Cli.Outcome o = promptly("run", "--grace", "500ms", "--junit", junit.toString(),
        "--json", json.toString(), ok.toString(), bad.toString());
    assertThat(o.code()).as(o.err()).isEqualTo(PromptlyCommand.FAILED);

    Document doc = validateJunit(junit);
    Element suites = doc.getDocumentElement();
    assertThat(suites.getTagName()).isEqualTo("testsuites");
    assertThat(suites.getAttribute("tests")).isEqualTo("3");
    assertThat(suites.getAttribute("failures")).isEqualTo("1");
    NodeList cases = doc.getElementsByTagName("testcase");
    assertThat(cases.getLength()).isEqualTo(3);
    Element first = (Element) cases.item(0);
    assertThat(first.getAttribute("classname")).isEqualTo(ok.toString().replaceFirst("\\.yaml$", ""));
    assertThat(first.getAttribute("name")).isEqualTo("greet[who=Zoot]");
    assertThat(first.getElementsByTagName("failure").getLength()).isZero();
    String firstOut = first.getElementsByTagName("system-out").item(0).getTextContent();
    assertThat(firstOut).contains("Привет, Zoot!").contains("\\e[31mred\\a");
    Element second = (Element) cases.item(1);
    assertThat(second.getAttribute("name")).isEqualTo("greet[who=a<b&c]");
    Element failed = (Element) cases.item(2);
    assertThat(failed.getAttribute("classname")).isEqualTo(bad.toString().replaceFirst("\\.yaml$", ""));
    assertThat(failed.getAttribute("name")).isEqualTo("bad");
    Element failure = (Element) failed.getElementsByTagName("failure").item(0);
    assertThat(failure.getAttribute("message"))
        .startsWith("step 2 (" + bad + ":4:5): timed out after")
        .contains("(limit 400ms)").contains("\"never\"").contains("nor\\\\s+this");
    assertThat(failure.getTextContent()).contains("last lines received:")
        .contains("  | line one").contains("  | line two").contains("killed by SIGTERM");
    assertThat(failed.getElementsByTagName("system-out").item(0).getTextContent())
        .isEqualTo("line one\nline two\n");

    JsonNode report = new ObjectMapper().readTree(json.toFile());
    assertThat(validateJson(report)).isEmpty();
    assertThat(report.at("/counts/failed").asInt()).isEqualTo(1);
    JsonNode greet = report.at("/runs/0");
    assertThat(greet.get("exitCode").asInt()).isZero();
    assertThat(greet.get("transcript").isNull()).isTrue();
    JsonNode capture = greet.at("/steps/1");
    assertThat(capture.get("branch").asText()).isEqualTo("regex /Привет, (?<name>[^!]+)!/");
    assertThat(capture.get("matched").asText()).isEqualTo("Привет, Zoot!");
    assertThat(capture.at("/captures/name").asText()).isEqualTo("Zoot");
    // "Имя: " is 5 chars, 8 bytes of UTF-8; over pipes nothing is echoed: the greeting follows.
    assertThat(capture.get("offset").asLong()).isEqualTo(5);
    assertThat(capture.get("byteOffset").asLong()).isEqualTo(8);
    JsonNode badRun = report.at("/runs/2");
    assertThat(badRun.get("passed").asBoolean()).isFalse();
    assertThat(badRun.get("signal").asText()).isEqualTo("SIGTERM");
    assertThat(badRun.get("exitCode").isNull()).isTrue();
    assertThat(badRun.at("/steps/1/passed").asBoolean()).isFalse();
    assertThat(badRun.at("/steps/1/line").asInt()).isEqualTo(4);

    // A report that breaks the schema is caught: the validation above is not vacuous.
    ((ObjectNode) report.at("/runs/0")).remove("steps");
    assertThat(validateJson(report)).isNotEmpty();
  }

  @Test
  void transcriptFilesAreOwnerOnlyAndTheCastReplays() throws Exception {
    Path file = TestRuns.write(dir, "cast", """
        name: cast[1]
        pty: true
        size: 30x100
        command: [python3, -c, "s = input('name? '); print('hi', s, '\\u00e9\\u2603')"]
        steps:
          - expect: "name? "
            sendline: Zoot
          - expect: eof
        """);
    Path transcripts = dir.resolve("new/dir");
    Cli.Outcome o = promptly("run", "-q", "--transcript", transcripts.toString(), file.toString());
    assertThat(o.code()).as(o.err()).isEqualTo(PromptlyCommand.PASSED);
    Set<String> names = Set.of("cast_1_.out", "cast_1_.log", "cast_1_.cast");
    for (String n : names) {
      assertThat(PosixFilePermissions.toString(
          Files.getPosixFilePermissions(transcripts.resolve(n)))).as(n).isEqualTo("rw-------");
    }
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(transcripts)))
        .isEqualTo("rwx------");

    List<String> cast = Files.readAllLines(transcripts.resolve("cast_1_.cast"));
    JsonNode header = new ObjectMapper().readTree(cast.get(0));
    assertThat(header.get("version").asInt()).isEqualTo(2);
    assertThat(header.get("width").asInt()).isEqualTo(100);
    assertThat(header.get("height").asInt()).isEqualTo(30);
    assertThat(header.get("timestamp").asLong()).isPositive();
    StringBuilder shown = new StringBuilder();
    double last = 0;
    for (String line : cast.subList(1, cast.size())) {
      JsonNode ev = new ObjectMapper().readTree(line);
      assertThat(ev.size()).isEqualTo(3);
      assertThat(ev.get(0).asDouble()).isGreaterThanOrEqualTo(last);
      last = ev.get(0).asDouble();
      assertThat(ev.get(1).asText()).isIn("o", "i");
      if (ev.get(1).asText().equals("o")) {
        shown.append(ev.get(2).asText());
      }
    }
    assertThat(shown.toString()).contains("name? Zoot").contains("hi Zoot é☃");

    String timeline = Files.readString(transcripts.resolve("cast_1_.log"));
    assertThat(timeline).contains(">> sent \"Zoot\\n\"").contains("eof")
        .contains("PASS exit 0").contains("pty 30x100");

    // asciinema itself, where it is installed (CI installs it): the recording plays back. It
    // wants a terminal, so promptly drives it on a pty.
    Assumptions.assumeTrue(onPath("asciinema"), "asciinema is not installed");
    Path play = TestRuns.write(dir, "play", """
        pty: true
        command: [asciinema, cat, "%s"]
        steps:
          - expect: "hi Zoot é☃"
          - expect: eof
        """.formatted(transcripts.resolve("cast_1_.cast")));
    Cli.Outcome played = promptly("run", "-q", play.toString());
    assertThat(played.code()).as(played.err()).isEqualTo(PromptlyCommand.PASSED);
  }

  private static boolean onPath(String program) {
    for (String d : System.getenv().getOrDefault("PATH", "").split(":")) {
      if (!d.isEmpty() && Files.isExecutable(Path.of(d, program))) {
        return true;
      }
    }
    return false;
  }

  static Set<ValidationMessage> validateJson(JsonNode report) throws Exception {
    try (InputStream schema = ReportsTest.class.getResourceAsStream(
        "/schema/promptly-report.schema.json")) {
      assertThat(schema).as("the schema is published with the jar").isNotNull();
      JsonSchema s = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012)
          .getSchema(schema);
      return s.validate(report);
    }
  }

  /** Parses with DOM (no DTDs, no external entities) and validates against junit-10.xsd. */
  static Document validateJunit(Path file) throws Exception {
    DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
    f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
    f.setNamespaceAware(true);
    Document doc = f.newDocumentBuilder().parse(file.toFile());
    SchemaFactory sf = SchemaFactory.newInstance(XMLConstants.W3C_XML_SCHEMA_NS_URI);
    var schema = sf.newSchema(ReportsTest.class.getResource("/junit/junit-10.xsd"));
    schema.newValidator().validate(new StreamSource(file.toFile()));
    return doc;
  }
}
