package dev.promptly.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.promptly.process.ssh.Sshd;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code promptly run} with ssh: targets and inventories, against a real OpenSSH sshd. */
class SshRunTest {
  private static final String PW = "s3cret-Sudo-pw";

  @TempDir
  static Path shared;
  @TempDir
  Path dir;
  static Sshd sshd;

  @BeforeAll
  static void start() throws Exception {
    sshd = Sshd.start(shared);
    Files.writeString(sshd.knownHosts, sshd.knownHostsLine());
  }

  @AfterAll
  static void stop() throws Exception {
    if (sshd != null) {
      sshd.close();
    }
  }

  record Outcome(int code, String out, String err) {
  }

  static Outcome promptly(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = PromptlyCommand.execute(args, new PrintWriter(out), new PrintWriter(err));
    return new Outcome(code, out.toString(), err.toString());
  }

  /** The --var arguments that point a dialogue's ssh: map at the test's sshd. */
  static List<String> target(String... more) {
    List<String> args = new ArrayList<>(List.of("--var", "ssh_port=" + sshd.port, "--var",
        "ssh_key=" + sshd.userKey, "--var", "known_hosts=" + sshd.knownHosts));
    args.addAll(List.of(more));
    return args;
  }

  static String[] args(List<String> head, String... tail) {
    List<String> all = new ArrayList<>(head);
    all.addAll(List.of(tail));
    return all.toArray(String[]::new);
  }

  @Test
  void theRunbookExampleRunsOnEveryWebHost() {
    Path example = Path.of("dsl-examples", "ssh");
    Outcome o = promptly(args(List.of("run", "-i", example.resolve("hosts.ini").toString()),
        args(target(), example.resolve("runbook.yaml").toString())));
    assertThat(o.code()).as(o.out() + o.err()).isZero();
    // One run per host of web, each with its host's variables (web's tier over prod's).
    assertThat(o.out()).contains("runbook@web1").contains("runbook@web2")
        .contains("restarting app (tier front) on web1")
        .contains("restarting app (tier api) on web2").doesNotContain("db1")
        .doesNotContain("correct horse");

    Outcome limited = promptly(args(List.of("run", "-i", example.resolve("hosts.ini").toString(),
        "--limit", "web2"), args(target(), example.resolve("runbook.yaml").toString())));
    assertThat(limited.code()).as(limited.out() + limited.err()).isZero();
    assertThat(limited.out()).contains("runbook@web2").doesNotContain("runbook@web1");
  }

  @Test
  void hostsPatternsOfBothInventoryFormsAndTheirErrors() throws Exception {
    Path yaml = dir.resolve("inventory.yml");
    Files.writeString(yaml, """
        all:
          children:
            prod:
              children:
                web:
                  hosts:
                    web1: {ansible_host: 127.0.0.1, role: front}
                    web2: {ansible_host: 127.0.0.1, role: api}
                db:
                  hosts:
                    web2:
                    db1: {ansible_host: 127.0.0.1, role: data}
        """);
    Path file = dir.resolve("who.yaml");
    Files.writeString(file, """
        name: who
        hosts: "web:!db"
        ssh: {port: "${ssh_port}", identity: "${ssh_key}", known-hosts: "${known_hosts}"}
        vars: {ssh_port: "22", ssh_key: "", known_hosts: ""}
        command: [echo, "role ${role} of ${inventory_hostname}"]
        steps:
          - expect: "role ${role} of ${inventory_hostname}"
          - expect: eof
        """);
    Outcome o = promptly(args(List.of("run", "-i", yaml.toString()),
        args(target(), file.toString())));
    assertThat(o.code()).as(o.out() + o.err()).isZero();
    assertThat(o.out()).contains("role front of web1").doesNotContain("web2");

    Path both = dir.resolve("both.yaml");
    Files.writeString(both, Files.readString(file).replace("name: who", "name: both")
        .replace("web:!db", "web:&db"));
    Outcome and = promptly(args(List.of("run", "-i", yaml.toString()),
        args(target(), both.toString())));
    assertThat(and.code()).as(and.out() + and.err()).isZero();
    assertThat(and.out()).contains("both@web2").contains("role api of web2")
        .doesNotContain("web1");

    // hosts: without an inventory: exit 2, nothing run, the place named.
    Outcome none = promptly(args(List.of("run"), args(target(), file.toString())));
    assertThat(none.code()).isEqualTo(2);
    assertThat(none.err()).contains(file + ":2:8: hosts: needs an inventory");

    Outcome nothing = promptly(args(List.of("run", "-i", yaml.toString(), "--limit", "dbb"),
        args(target(), file.toString())));
    assertThat(nothing.code()).isEqualTo(2);
    assertThat(nothing.err()).contains("'dbb' names no group or host");
  }

  @Test
  void aRemotePasswordPromptOnAPtyWithTheSecretMaskedAndARemoteExitStatus() throws Exception {
    Path file = dir.resolve("sudo.yaml");
    Files.writeString(file, """
        name: sudo
        ssh:
          host: 127.0.0.1
          port: "${ssh_port}"
          identity: "${ssh_key}"
          known-hosts: "${known_hosts}"
        secret: [pw]
        pty: true
        exit: 3
        command: "printf 'Password: '; read -s pw; echo; echo \\"you typed $pw\\"; exit 3"
        shell: true
        steps:
          - expect: "Password: "
            sendline: "${pw}"
          - expect: "you typed"
          - expect: eof
        """);
    Path transcripts = dir.resolve("t");
    Path json = dir.resolve("report.json");
    Outcome o = promptly(args(List.of("run", "--transcript", transcripts.toString(), "--json",
        json.toString()), args(target("--var", "pw=" + PW), file.toString())));
    assertThat(o.code()).as(o.out() + o.err()).isZero();
    assertThat(o.out()).contains("you typed ******");
    List<String> places = new ArrayList<>(List.of(o.out(), o.err(), Files.readString(json)));
    try (Stream<Path> s = Files.list(transcripts)) {
      for (Path p : s.toList()) {
        places.add(Files.readString(p, StandardCharsets.ISO_8859_1));
      }
    }
    assertThat(places).hasSizeGreaterThan(3).allSatisfy(p -> assertThat(p).doesNotContain(PW));
  }

  @Test
  void twentyRunsToOneHostOverFewConnectionsAndOneLineFailures() throws Exception {
    Path file = dir.resolve("many.yaml");
    StringBuilder values = new StringBuilder();
    for (int i = 1; i <= 20; i++) {
      values.append(i == 1 ? "" : ", ").append(i);
    }
    Files.writeString(file, """
        name: many
        ssh: {host: 127.0.0.1, port: "${ssh_port}", identity: "${ssh_key}",
              known-hosts: "${known_hosts}"}
        matrix: {n: [%s]}
        command: [sh, -c, 'read x; echo "run ${n} got $x"']
        steps:
          - sendline: hello
          - expect: "run ${n} got hello"
          - expect: eof
        """.formatted(values));
    long before = sshd.connections();
    Outcome o = promptly(args(List.of("run", "-q", "--jobs", "4"), args(target(),
        file.toString())));
    assertThat(o.code()).as(o.out() + o.err()).isZero();
    long connections = sshd.connections() - before;
    assertThat(connections).as(String.join("\n", sshd.log())).isBetween(1L, 2L);

    // A host key that is not known: a failed run with one line, no stack trace.
    Path empty = dir.resolve("empty_known_hosts");
    Files.writeString(empty, "");
    Outcome unknown = promptly(args(List.of("run", "-q", "--limit", "x"), args(List.of("--var",
        "ssh_port=" + sshd.port, "--var", "ssh_key=" + sshd.userKey, "--var", "known_hosts="
        + empty, "--var", "n=1"), file.toString())));
    assertThat(unknown.code()).as(unknown.out() + unknown.err()).isEqualTo(1);
    assertThat(unknown.out() + unknown.err()).contains("host key unknown: [127.0.0.1]:"
        + sshd.port).doesNotContain("\tat ").doesNotContain("Exception");
  }
}
