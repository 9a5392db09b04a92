package dev.promptly.dsl;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.api.lowlevel.Compose;
import org.snakeyaml.engine.v2.api.lowlevel.Parse;
import org.snakeyaml.engine.v2.events.AliasEvent;
import org.snakeyaml.engine.v2.events.CollectionStartEvent;
import org.snakeyaml.engine.v2.events.Event;
import org.snakeyaml.engine.v2.events.NodeEvent;
import org.snakeyaml.engine.v2.events.ScalarEvent;
import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.exceptions.ReaderException;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.snakeyaml.engine.v2.nodes.Node;

/**
 * Turns a file into a YAML node tree, or into problems. Files come from anyone (CI checkouts,
 * downloaded runbooks), so every limit here is against hostile input: size, nesting, aliases
 * (the "billion laughs"), bytes that are not UTF-8.
 */
public final class YamlSource {
  static final long MAX_BYTES = 10L * 1024 * 1024;
  static final int MAX_DEPTH = 64;
  static final int MAX_COLLECTION_ALIASES = 50;
  static final int MAX_TAG_PROBLEMS = 20;
  private static final String CORE_PREFIX = "tag:yaml.org,2002:";
  /** The core schema's tags, and "!" (non-specific: a plain string). */
  private static final Set<String> CORE_TAGS = Set.of("!", CORE_PREFIX + "str",
      CORE_PREFIX + "int", CORE_PREFIX + "float", CORE_PREFIX + "bool", CORE_PREFIX + "null",
      CORE_PREFIX + "seq", CORE_PREFIX + "map");

  private YamlSource() {
  }

  /** Text of a file, or null after adding a problem (at {@code at}, or 1:1 of the file). */
  static String readText(Path file, Path shownAs, SourcePos at, String what,
                         List<Problem> problems) {
    SourcePos where = at != null ? at : new SourcePos(shownAs, 1, 1);
    byte[] bytes;
    try (InputStream in = Files.newInputStream(file)) {
      // At most one byte past the limit: a huge or endless file (/dev/zero) costs no more.
      bytes = in.readNBytes((int) MAX_BYTES + 1);
      if (bytes.length > MAX_BYTES) {
        problems.add(new Problem(where, what + "file too large (more than "
            + MAX_BYTES / (1024 * 1024) + " MiB)"));
        return null;
      }
    } catch (NoSuchFileException e) {
      problems.add(new Problem(where, what + "cannot read: no such file"));
      return null;
    } catch (AccessDeniedException e) {
      problems.add(new Problem(where, what + "cannot read: permission denied"));
      return null;
    } catch (IOException | RuntimeException e) {
      problems.add(new Problem(where, what + "cannot read: " + Texts.oneLine(describe(e))));
      return null;
    }
    CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT)
        .onUnmappableCharacter(CodingErrorAction.REPORT);
    ByteBuffer in = ByteBuffer.wrap(bytes);
    // UTF-8 never gives more chars than bytes.
    CharBuffer out = CharBuffer.allocate(bytes.length + 1);
    CoderResult r = decoder.decode(in, out, true);
    if (!r.isError()) {
      r = decoder.flush(out);
    }
    out.flip();
    if (r.isError()) {
      // The decoded prefix is valid text; the bad byte stands right after it.
      int[] lc = lineColumn(out, out.length());
      SourcePos bad = new SourcePos(shownAs, lc[0], lc[1]);
      String msg = String.format("not UTF-8: invalid byte 0x%02x", bytes[in.position()] & 0xff);
      if (at == null) {
        problems.add(new Problem(bad, msg));
      } else {
        problems.add(new Problem(at, what + msg + " at " + bad));
      }
      return null;
    }
    String text = out.toString();
    // A byte-order mark is legal at the start of YAML; dropping it keeps column 1 where users
    // see it.
    return text.startsWith("\uFEFF") ? text.substring(1) : text;
  }

  /**
   * SnakeYAML's messages for the mistakes people make most, in plain words with the fix; null
   * for the others (shown as SnakeYAML words them).
   */
  static String plainWords(String problem) {
    if (problem.startsWith("mapping values are not allowed here")) {
      return "a ':' where YAML does not expect one: quote a value that holds ': ' "
          + "(expect: \"Password: \"), or check this line's indentation";
    }
    if (problem.startsWith("could not find expected ':'")) {
      return "a key without ':' after it (write key: value), or a quoted string left open";
    }
    if (problem.startsWith("did not find expected key")
        || problem.startsWith("did not find expected '-' indicator")) {
      return "this line's indentation does not fit: keys of one mapping, and items of one list,"
          + " start in the same column";
    }
    if (problem.startsWith("found unexpected end of stream")) {
      return "the file ends inside a quoted string: close the quote";
    }
    if (problem.startsWith("found character '\\t'") || problem.contains("'\t'")) {
      return "a tab: YAML indents with spaces only";
    }
    if (problem.startsWith("expected <block end>, but found")) {
      return "an item or key indented wrongly: it does not line up with the ones before it";
    }
    if (problem.startsWith("did not find expected ',' or ']'")
        || problem.startsWith("did not find expected ',' or '}'")) {
      return "a [list] or {mapping} on one line is not closed, or needs a ',' between items"
          + " (quote values that hold ',' ':' '[' or '{')";
    }
    return null;
  }

  /** The root node of a file, empty for an empty document, or null after adding problems. */
  public static Optional<Node> compose(Path file, List<Problem> problems) {
    String text = readText(file, file, null, "", problems);
    if (text == null) {
      return null;
    }
    LoadSettings settings = LoadSettings.builder()
        .setLabel(file.toString())
        .setUseMarks(true)
        .setAllowRecursiveKeys(false)
        .setAllowNonScalarKeys(false)
        .setMaxAliasesForCollections(MAX_COLLECTION_ALIASES)
        .setCodePointLimit((int) MAX_BYTES + 1)
        .setParseComments(false)
        .build();
    try {
      if (!precheck(file, text, settings, problems)) {
        return null;
      }
      return new Compose(settings).composeString(text);
    } catch (MarkedYamlEngineException e) {
      Optional<Mark> mark = e.getProblemMark().or(e::getContextMark);
      boolean noContext = e.getContext() == null || e.getContext().isBlank();
      String context = noContext ? "" : " (" + Texts.oneLine(e.getContext())
          + e.getContextMark().filter(m -> mark.isPresent() && m != mark.get())
              .map(m -> " at " + (m.getLine() + 1) + ":" + (m.getColumn() + 1)).orElse("")
          + ")";
      String problem = e.getProblem() == null ? "invalid YAML" : Texts.oneLine(e.getProblem());
      if (problem.contains("another document")) {
        problem = "a second YAML document: a file holds one (list several under 'dialogues:')";
        context = "";
      }
      String plain = plainWords(problem);
      if (plain != null) {
        problem = plain;
        context = "";
      }
      problems.add(new Problem(mark.map(m -> at(file, m)).orElse(new SourcePos(file, 1, 1)),
          problem + context));
    } catch (ReaderException e) {
      int[] lc = lineColumnOfCodePoint(text, e.getPosition());
      problems.add(new Problem(new SourcePos(file, lc[0], lc[1]),
          String.format("character U+%04X is not allowed in YAML", e.getCodePoint())));
    } catch (YamlEngineException e) {
      problems.add(new Problem(new SourcePos(file, 1, 1), Texts.oneLine(e.getMessage())));
    } catch (RuntimeException e) {
      // The scanner itself can trip on malformed input (an unfinished "\x" escape at the end of
      // the file throws NumberFormatException in snakeyaml-engine 3.2): still a message, placed
      // at the end, where such unfinished text stands.
      int[] lc = lineColumn(text, text.length());
      problems.add(new Problem(new SourcePos(file, lc[0], lc[1]), "not valid YAML: the parser "
          + "could not read the file (look for an unfinished quoted string or escape)"));
    } catch (StackOverflowError e) {
      // Should not happen after precheck; a safety net so no input can crash a caller.
      problems.add(new Problem(new SourcePos(file, 1, 1), "nested too deeply"));
    }
    return null;
  }

  /**
   * One pass over the events, which the parser produces without recursion, to refuse what
   * would make composing deep or explosive before the composer (which recurses) sees it.
   */
  private static boolean precheck(Path file, String text, LoadSettings settings,
                                  List<Problem> problems) {
    int depth = 0;
    int aliases = 0;
    int tags = 0;
    Set<String> collectionAnchors = new HashSet<>();
    for (Event e : new Parse(settings).parseString(text)) {
      switch (e.getEventId()) {
        case MappingStart, SequenceStart -> {
          if (++depth > MAX_DEPTH) {
            problems.add(new Problem(pos(file, e), "nested deeper than " + MAX_DEPTH
                + " levels"));
            return false;
          }
          ((NodeEvent) e).getAnchor().ifPresent(a -> collectionAnchors.add(a.getValue()));
          tags += checkTag(file, e, ((CollectionStartEvent) e).getTag(), tags, problems);
        }
        case Scalar -> tags += checkTag(file, e, ((ScalarEvent) e).getTag(), tags, problems);
        case MappingEnd, SequenceEnd -> depth--;
        case Alias -> {
          if (collectionAnchors.contains(((AliasEvent) e).getAlias().getValue())
              && ++aliases > MAX_COLLECTION_ALIASES) {
            problems.add(new Problem(pos(file, e), "more than " + MAX_COLLECTION_ALIASES
                + " aliases of lists or mappings: refused, as it may be an alias bomb"));
            return false;
          }
        }
        default -> {
        }
      }
    }
    return tags == 0;
  }

  /**
   * 1 after adding a problem for a tag other than YAML's core ones. Nothing is ever built from a
   * tag (the composer makes nodes, never objects), but a file that asks for
   * {@code !!java.lang.Runtime} or {@code !custom} means something promptly would silently
   * ignore: it is refused where it stands. The first {@link #MAX_TAG_PROBLEMS} are reported.
   */
  private static int checkTag(Path file, Event e, Optional<String> tag, int reported,
                              List<Problem> problems) {
    if (tag.isEmpty() || CORE_TAGS.contains(tag.get())) {
      return 0;
    }
    if (reported < MAX_TAG_PROBLEMS) {
      String t = tag.get();
      String shown = t.startsWith(CORE_PREFIX) ? "!!" + t.substring(CORE_PREFIX.length()) : t;
      problems.add(new Problem(pos(file, e), "tag '" + Texts.shorten(shown)
          + "' is not supported: dialogues are plain data (allowed: !!str, !!int, !!float, "
          + "!!bool, !!null, !!seq, !!map)"));
    }
    return 1;
  }

  public static SourcePos at(Path file, Mark m) {
    return new SourcePos(file, m.getLine() + 1, m.getColumn() + 1);
  }

  private static SourcePos pos(Path file, Event e) {
    return e.getStartMark().map(m -> at(file, m)).orElse(new SourcePos(file, 1, 1));
  }

  /** 1-based line and column (in code points) just after the first {@code length} chars. */
  static int[] lineColumn(CharSequence text, int length) {
    int line = 1;
    int column = 1;
    for (int i = 0; i < length; i++) {
      char c = text.charAt(i);
      if (c == '\n') {
        line++;
        column = 1;
      } else if (!Character.isLowSurrogate(c) && !(i == 0 && c == '\uFEFF')) {
        column++;
      }
    }
    return new int[] {line, column};
  }

  private static int[] lineColumnOfCodePoint(String text, int codePointIndex) {
    int chars = text.offsetByCodePoints(0, Math.min(codePointIndex,
        text.codePointCount(0, text.length())));
    return lineColumn(text, chars);
  }

  private static String describe(Exception e) {
    return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
  }
}
