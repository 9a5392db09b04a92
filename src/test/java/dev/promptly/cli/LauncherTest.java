package dev.promptly.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * scripts/promptly as new users meet it (issue 14), in a fresh clone of this repository: two
 * first runs at once build once, a rebuild never pulls the jar from under a running promptly, no
 * HOME is fine, and under umask 000 what it caches is still private to its user.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 8, unit = TimeUnit.MINUTES)
class LauncherTest {
  @TempDir
  static Path tmp;
  static Path clone;

  record Ran(int code, String output) {
  }

  @BeforeAll
  static void freshClone() throws Exception {
    clone = tmp.resolve("promptly");
    Ran r = sh(Path.of("").toAbsolutePath(), Map.of(), "git clone -q --no-hardlinks . '" + clone
        + "'");
    assertThat(r.code()).as(r.output()).isZero();
  }

  /** Runs {@code script} with bash in {@code dir}, umask 000, and {@code env} added. */
  static Ran sh(Path dir, Map<String, String> env, String script) throws Exception {
    ProcessBuilder pb = new ProcessBuilder("bash", "-c", "umask 000; " + script)
        .directory(dir.toFile()).redirectErrorStream(true);
    pb.environment().putAll(env);
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(6, TimeUnit.MINUTES)).isTrue();
    return new Ran(p.exitValue(), out);
  }

  private static Map<String, String> cache(String name) {
    return Map.of("XDG_CACHE_HOME", tmp.resolve(name).toString());
  }

  @Test
  @Order(1)
  void twoFirstRunsAtOnceBuildOnceAndCacheOnlyForTheirUser() throws Exception {
    Ran r = sh(clone, cache("cache"), """
        (scripts/promptly run dsl-examples/name.yaml > a.log 2>&1; echo "exit $?" >> a.log) &
        (scripts/promptly run dsl-examples/name.yaml > b.log 2>&1; echo "exit $?" >> b.log) &
        wait; cat a.log b.log""");
    assertThat(r.output()).contains("exit 0").doesNotContain("exit 1").doesNotContain("exit 2");
    assertThat(r.output().split("building", -1)).as(r.output()).hasSize(2);
    List<String> open = new ArrayList<>();
    try (Stream<Path> all = Files.walk(tmp.resolve("cache"))) {
      for (Path p : all.toList()) {
        int mode = (Integer) Files.getAttribute(p, "unix:mode",
            java.nio.file.LinkOption.NOFOLLOW_LINKS);
        if ((mode & 0022) != 0) {
          open.add(p + " " + Integer.toOctalString(mode & 0777));
        }
      }
    }
    assertThat(open).as("cached files others could write (umask 000)").isEmpty();
  }

  @Test
  @Order(2)
  void aRebuildLeavesARunningPromptlyAlone() throws Exception {
    Path slow = clone.resolve("slow.yaml");
    Files.writeString(slow, """
        name: slow
        command: [sh, -c, "echo started; while [ ! -f rebuilt ]; do sleep 0.1; done; echo done"]
        steps:
          - expect: done
            timeout: 5m
        """);
    // The first run is under way (its JVM started and its child running) when the sources change
    // and a second run rebuilds the jar; the first must still load the classes it needs at its
    // end, after the new jar was written.
    Ran r = sh(clone, cache("cache"), """
        (scripts/promptly run --json slow.json slow.yaml > slow.log 2>&1; echo "exit $?" >> slow.log) &
        until grep -q started slow.log 2>/dev/null; do sleep 0.1; done
        touch src/main/java/dev/promptly/cli/Main.java
        scripts/promptly run dsl-examples/name.yaml > rebuild.log 2>&1; echo "rebuild exit $?"
        touch rebuilt
        wait; cat slow.log rebuild.log""");
    assertThat(r.output()).contains("rebuild exit 0").contains("building")
        .contains("exit 0").doesNotContain("NoClassDefFoundError").doesNotContain("exit 1");
    assertThat(clone.resolve("slow.json")).exists();
  }

  @Test
  @Order(3)
  void worksWithoutHome() throws Exception {
    Ran r = sh(clone, Map.of(), "env -u HOME -u XDG_CACHE_HOME scripts/promptly run "
        + "dsl-examples/name.yaml; echo \"exit $?\"");
    assertThat(r.output()).contains("exit 0").contains("1 passed");
  }

  /**
   * A run that reaches hosts over SSH starts from the archive with MINA's classes; any other from
   * the core one, whose start does not load them (~25 ms of a one-step run).
   */
  @Test
  @Order(4)
  void theArchiveIsChosenBySshUse() throws Exception {
    Files.writeString(clone.resolve("remote.yaml"), """
        name: remote
        ssh: deploy@web1
        command: [uptime]
        steps:
          - expect: eof
        """);
    Files.createDirectories(clone.resolve("runbooks/deep"));
    Files.writeString(clone.resolve("runbooks/deep/fleet.yml"), """
        dialogues:
          - name: fleet
            hosts: web
            command: [uptime]
            steps: [{expect: eof}]
        """);
    Files.writeString(clone.resolve("inv.ini"), "[web]\nweb1\n");
    // Only a file's first 256 KiB are looked at: a big file named by mistake costs no more.
    // A FIFO, named or in a folder, is not read at all (a read would wait for a writer for ever).
    Files.writeString(clone.resolve("late.yaml"), "#".repeat(300_000) + "\nssh: deploy@web1\n");
    Ran r = sh(clone, cache("cache"), """
        p() { PROMPTLY_PRINT_JAVA=1 scripts/promptly "$@" | sed -n 's/.*archive: //p'; }
        echo "local $(p run dsl-examples/name.yaml)"
        echo "quiet-local $(p run -q --var x=y dsl-examples/name.yaml)"
        echo "remote $(p run -q remote.yaml)"
        echo "mixed $(p run dsl-examples/name.yaml remote.yaml)"
        echo "folder $(p run runbooks)"
        echo "inventory $(p run -i inv.ini dsl-examples/name.yaml)"
        echo "late $(p run late.yaml)"
        mkfifo pipe.yaml; mkdir fifos; mkfifo fifos/x.yaml
        t() { timeout 20 bash -c 'PROMPTLY_PRINT_JAVA=1 scripts/promptly run "$1"' _ "$1" \
          | sed -n 's/.*archive: //p'; }
        echo "fifo $(t pipe.yaml)"
        echo "fifo-folder $(t fifos)"
        echo "check $(p check remote.yaml)"
        echo "worker $(p worker --join 127.0.0.1:5701)"
        """);
    assertThat(r.output()).contains("local core\n", "quiet-local core\n", "remote ssh\n",
        "mixed ssh\n", "folder ssh\n", "inventory ssh\n", "late core\n", "fifo core\n",
        "fifo-folder core\n", "check core\n", "worker ssh\n");
  }

  /**
   * A local run loads no Hazelcast class: the jar leaves out vertx-hazelcast's Vert.x service, with
   * which every start made a cluster manager and its default configuration (77 classes).
   */
  @Test
  @Order(6)
  void aLocalRunLoadsNoHazelcastClass() throws Exception {
    Ran r = sh(clone, cache("cache"), """
        java -verbose:class -jar target/promptly-all.jar run -q dsl-examples/name.yaml > classes.log 2>&1
        echo "exit $?"; grep -c '^\\[.*Loaded\\|class,load' classes.log
        grep -c 'com\\.hazelcast\\.\\|spi\\.cluster\\.hazelcast' classes.log""");
    String[] out = r.output().strip().split("\n");
    assertThat(out[0]).as(r.output()).isEqualTo("exit 0");
    assertThat(Integer.parseInt(out[1].strip())).as("classes logged").isGreaterThan(1000);
    assertThat(out[2].strip()).as("Hazelcast classes loaded").isEqualTo("0");
  }

  @Test
  @Order(5)
  void aCacheOthersCanWriteIsNotUsed() throws Exception {
    Path bad = Files.createDirectories(tmp.resolve("bad/promptly"));
    Files.setPosixFilePermissions(bad, java.nio.file.attribute.PosixFilePermissions
        .fromString("rwxrwxrwx"));
    Ran r = sh(clone, cache("bad"), "scripts/promptly run dsl-examples/name.yaml; "
        + "echo \"exit $?\"");
    assertThat(r.output()).contains("not using the cache").contains("another user can write")
        .contains("exit 0");
    try (Stream<Path> files = Files.list(bad)) {
      assertThat(files).as("nothing cached in a folder others can write").isEmpty();
    }
  }
}
