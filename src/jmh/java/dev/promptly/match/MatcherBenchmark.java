package dev.promptly.match;

import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The matcher alone: a flood of output lines fed in chunks of {@code chunk} chars while one step
 * waits for a prompt that never comes (the worst case: every char is searched once). The score is
 * MB/s of output (one char of this ASCII text is one byte of child output).
 *
 * <p>Run with {@code mvn -Pjmh -DskipTests package} then {@code java -jar target/promptly-jmh.jar}
 * (scripts/bench does it).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class MatcherBenchmark {
  /** Chars fed per call of feed(), as a read of that many bytes would bring. */
  @Param({"1024", "4096", "65536"})
  public int chunk;

  /** Output per invocation: 1 MiB. */
  private static final int TOTAL = 1 << 20;
  private String[] chunks;
  private PromptMatcher matcher;

  @Setup(Level.Trial)
  public void makeOutput() {
    StringBuilder sb = new StringBuilder(TOTAL);
    int i = 0;
    while (sb.length() < TOTAL) {
      sb.append("HI!! line ").append(i++).append(" of the flood, no prompt here\n");
    }
    String all = sb.substring(0, TOTAL);
    chunks = new String[TOTAL / chunk];
    for (int c = 0; c < chunks.length; c++) {
      chunks[c] = all.substring(c * chunk, (c + 1) * chunk);
    }
  }

  private long run(PatternSpec spec) {
    matcher = new PromptMatcher();
    matcher.expect(List.of(spec));
    long found = 0;
    for (String c : chunks) {
      if (matcher.feed(c).isPresent()) {
        found++;
      }
    }
    return found + matcher.received();
  }

  /** Throughput in MB/s: each invocation feeds 1 MiB, so ops/s x 1.048576 = MB/s. */
  @Benchmark
  public long literal() {
    return run(new PatternSpec.Literal("DONE> "));
  }

  @Benchmark
  public long regex() {
    return run(PatternSpec.Regex.of("DONE> (\\w+)"));
  }
}
