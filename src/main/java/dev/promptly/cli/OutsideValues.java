package dev.promptly.cli;

import java.io.Console;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/**
 * Values from outside the dialogue files: {@code --var-file FILE} (a YAML mapping, or
 * {@code .env} lines) and {@code --secret NAME} (asked on the terminal with echo off) or
 * {@code --secret NAME=@FILE} (a file private to its user). Problems are
 * {@link IllegalArgumentException}s with the place, for the command line to print.
 */
final class OutsideValues {
  private static final Pattern ENV_LINE = Pattern.compile(
      "\\s*(?:export\\s+)?([A-Za-z_][A-Za-z0-9_.-]*)\\s*=\\s*(.*?)\\s*");
  private static final Set<PosixFilePermission> OTHERS = EnumSet.of(
      PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_WRITE,
      PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.OTHERS_READ,
      PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_EXECUTE);

  private OutsideValues() {
  }

  /** The variables of a var file: YAML for *.yaml / *.yml, {@code NAME=VALUE} lines else. */
  static Map<String, String> varFile(Path file) {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException | RuntimeException e) {
      throw new IllegalArgumentException("--var-file " + file + ": cannot read: "
          + e.getMessage());
    }
    String name = String.valueOf(file.getFileName());
    Map<String, String> vars = new LinkedHashMap<>();
    if (name.endsWith(".yaml") || name.endsWith(".yml")) {
      Object root;
      try {
        root = new Load(LoadSettings.builder().setMaxAliasesForCollections(10).build())
            .loadFromString(text);
      } catch (RuntimeException e) {
        throw new IllegalArgumentException("--var-file " + file + ": not valid YAML: "
            + e.getMessage().lines().findFirst().orElse(""));
      }
      if (root == null) {
        return vars;
      }
      if (!(root instanceof Map<?, ?> m)) {
        throw new IllegalArgumentException("--var-file " + file
            + ": expected a mapping of NAME: value");
      }
      for (Map.Entry<?, ?> e : m.entrySet()) {
        Object v = e.getValue();
        if (!(e.getKey() instanceof String k) || v instanceof Map || v instanceof Iterable
            || v == null) {
          throw new IllegalArgumentException("--var-file " + file + ": '" + e.getKey()
              + "': expected a name and a string, number or boolean");
        }
        vars.put(k, String.valueOf(v));
      }
      return vars;
    }
    String[] lines = text.split("\r?\n", -1);
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i];
      if (line.isBlank() || line.stripLeading().startsWith("#")) {
        continue;
      }
      Matcher m = ENV_LINE.matcher(line);
      if (!m.matches()) {
        throw new IllegalArgumentException(file + ":" + (i + 1) + ":1: expected NAME=VALUE");
      }
      vars.put(m.group(1), unquote(m.group(2)));
    }
    return vars;
  }

  /** A .env value: 'single' as is, "double" with \n \t \" \\ decoded, bare as written. */
  private static String unquote(String v) {
    if (v.length() >= 2 && v.startsWith("'") && v.endsWith("'")) {
      return v.substring(1, v.length() - 1);
    }
    if (v.length() >= 2 && v.startsWith("\"") && v.endsWith("\"")) {
      StringBuilder b = new StringBuilder();
      String in = v.substring(1, v.length() - 1);
      for (int i = 0; i < in.length(); i++) {
        char c = in.charAt(i);
        if (c == '\\' && i + 1 < in.length()) {
          char n = in.charAt(++i);
          b.append(n == 'n' ? '\n' : n == 't' ? '\t' : n);
        } else {
          b.append(c);
        }
      }
      return b.toString();
    }
    return v;
  }

  /**
   * {@code NAME} (asked on the terminal, echo off) or {@code NAME=@FILE}: the name and its
   * value. The file must be a regular file of the user's own that no one else may read or write
   * (as ssh insists for keys); one trailing newline is dropped.
   */
  static Map.Entry<String, String> secret(String spec, Console console) {
    int at = spec.indexOf("=@");
    String name = at < 0 ? spec : spec.substring(0, at);
    if (!name.matches("[A-Za-z_][A-Za-z0-9_.-]*")) {
      throw new IllegalArgumentException("--secret " + name + ": not a variable name (use "
          + "--secret NAME, or --secret NAME=@FILE)");
    }
    if (at < 0) {
      if (console == null) {
        throw new IllegalArgumentException("--secret " + name + " asks on the terminal, and "
            + "there is none: use --secret " + name + "=@FILE");
      }
      char[] typed = console.readPassword("%s", "secret " + name + ": ");
      if (typed == null) {
        throw new IllegalArgumentException("--secret " + name + ": nothing was typed");
      }
      return Map.entry(name, new String(typed));
    }
    Path file = Path.of(spec.substring(at + 2));
    try {
      PosixFileAttributes a = Files.readAttributes(file, PosixFileAttributes.class,
          LinkOption.NOFOLLOW_LINKS);
      if (!a.isRegularFile()) {
        throw new IllegalArgumentException("--secret " + name + "=@" + file
            + ": not a regular file");
      }
      String me = System.getProperty("user.name");
      boolean mine = a.owner().getName().equals(me);
      Set<PosixFilePermission> open = EnumSet.copyOf(a.permissions().isEmpty()
          ? EnumSet.noneOf(PosixFilePermission.class) : a.permissions());
      open.retainAll(OTHERS);
      if (!mine || !open.isEmpty()) {
        throw new IllegalArgumentException("--secret " + name + "=@" + file + ": the file must "
            + "be private to you (chmod 600 " + file + ")" + (mine ? ""
                : "; it belongs to " + a.owner().getName()));
      }
      String v = Files.readString(file, StandardCharsets.UTF_8);
      return Map.entry(name, v.endsWith("\r\n") ? v.substring(0, v.length() - 2)
          : v.endsWith("\n") ? v.substring(0, v.length() - 1) : v);
    } catch (IOException e) {
      throw new IllegalArgumentException("--secret " + name + "=@" + file + ": cannot read: "
          + e.getMessage());
    }
  }
}
