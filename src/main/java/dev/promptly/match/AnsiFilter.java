package dev.promptly.match;

/**
 * Removes ANSI/VT100 escape sequences from decoded output, incrementally: a sequence split across
 * chunks is still removed whole. Handled: CSI ({@code ESC [ params intermediates final}, colours
 * and cursor moves), OSC ({@code ESC ] ... BEL} or {@code ... ESC \}, window titles), the other
 * string controls DCS, SOS, PM and APC ({@code ESC P|X|^|_ ... ESC \}), and short escapes
 * ({@code ESC ( B}, {@code ESC =}, {@code ESC 7}, ...). Other control characters ({@code \r},
 * {@code \b}, ...) are kept. Memory is constant: the body of a long string control is dropped as
 * it comes, never held. Not thread-safe.
 */
public final class AnsiFilter {

  private static final char ESC = '\u001B';
  private static final char BEL = '\u0007';
  private static final char CAN = '\u0018';
  private static final char SUB = '\u001A';

  private enum State { TEXT, ESCAPE, ESCAPE_INTERMEDIATE, CSI, STRING, STRING_ESCAPE }

  private State state = State.TEXT;
  private final StringBuilder out = new StringBuilder();

  /** Returns {@code s} without escape sequences, continuing any sequence left open before. */
  public String filter(CharSequence s) {
    int n = s.length();
    int i = 0;
    // Plain text between sequences is the common case: hand it back without copying.
    if (state == State.TEXT) {
      while (i < n && s.charAt(i) != ESC) {
        i++;
      }
      if (i == n) {
        return s.toString();
      }
    }
    out.setLength(0);
    out.append(s, 0, i);
    for (; i < n; i++) {
      accept(s.charAt(i));
    }
    String result = out.toString();
    // Do not let one huge chunk pin a huge buffer.
    if (out.capacity() > 64 * 1024) {
      out.setLength(0);
      out.trimToSize();
    }
    return result;
  }

  /** True while an escape sequence is open, waiting for its end in a later chunk. */
  public boolean inSequence() {
    return state != State.TEXT;
  }

  /** Forgets an open sequence (its beginning is dropped). */
  public void reset() {
    state = State.TEXT;
  }

  private void accept(char c) {
    switch (state) {
      case TEXT -> {
        if (c == ESC) {
          state = State.ESCAPE;
        } else {
          out.append(c);
        }
      }
      case ESCAPE -> afterEscape(c);
      case ESCAPE_INTERMEDIATE -> {
        if (c >= 0x20 && c <= 0x2F) {
          return;
        }
        if (c >= 0x30 && c <= 0x7E) {
          state = State.TEXT;
        } else {
          abort(c);
        }
      }
      case CSI -> {
        if (c >= 0x40 && c <= 0x7E) {
          state = State.TEXT;
        } else if (c < 0x20 || c > 0x3F) {
          // Not a CSI byte: the sequence was broken off; what broke it is kept (or starts anew).
          abort(c);
        }
      }
      case STRING -> {
        if (c == BEL) {
          state = State.TEXT;
        } else if (c == ESC) {
          state = State.STRING_ESCAPE;
        } else if (c == CAN || c == SUB) {
          state = State.TEXT;
        }
      }
      case STRING_ESCAPE -> {
        if (c == '\\') {
          state = State.TEXT;
        } else {
          // ESC not followed by '\' ends the string and begins a new escape.
          afterEscape(c);
        }
      }
      default -> throw new AssertionError(state);
    }
  }

  private void afterEscape(char c) {
    if (c == '[') {
      state = State.CSI;
    } else if (c == ']' || c == 'P' || c == 'X' || c == '^' || c == '_') {
      state = State.STRING;
    } else if (c >= 0x20 && c <= 0x2F) {
      state = State.ESCAPE_INTERMEDIATE;
    } else if (c >= 0x30 && c <= 0x7E) {
      state = State.TEXT;
    } else {
      abort(c);
    }
  }

  private void abort(char c) {
    state = State.TEXT;
    if (c == ESC) {
      state = State.ESCAPE;
    } else if (c != CAN && c != SUB) {
      out.append(c);
    }
  }
}
