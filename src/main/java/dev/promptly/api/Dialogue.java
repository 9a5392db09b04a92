package dev.promptly.api;

import dev.promptly.dsl.DialogueLoader;
import dev.promptly.dsl.LoadResult;
import dev.promptly.dsl.Problem;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * A dialogue ready to run with {@link Promptly#run(List, RunOptions)}: loaded from a YAML file
 * with {@link #load(Path)} or built in Java with {@link DialogueBuilder}. Immutable.
 */
public final class Dialogue {
  private final dev.promptly.dsl.Dialogue model;

  Dialogue(dev.promptly.dsl.Dialogue model) {
    this.model = Objects.requireNonNull(model);
  }

  /**
   * Loads the dialogues of a YAML file (one file may hold several documents).
   *
   * @param file the dialogue file
   * @return its dialogues, in order
   * @throws IllegalArgumentException listing every problem as {@code FILE:LINE:COLUMN: message}
   *     when the file cannot be read or is not a valid dialogue
   */
  public static List<Dialogue> load(Path file) {
    return load(file, Map.of());
  }

  /**
   * Loads the dialogues of a YAML file with variables that override the file's own (as
   * {@code promptly run --var}).
   *
   * @param file the dialogue file
   * @param vars variables
   * @return its dialogues, in order
   * @throws IllegalArgumentException listing every problem when the file is not valid
   */
  public static List<Dialogue> load(Path file, Map<String, String> vars) {
    LoadResult loaded = DialogueLoader.load(file, vars);
    if (!loaded.ok()) {
      throw new IllegalArgumentException(loaded.problems().stream().map(Problem::toString)
          .collect(Collectors.joining("\n")));
    }
    return loaded.dialogues().stream().map(Dialogue::new).toList();
  }

  /**
   * The dialogue's name.
   *
   * @return the name
   */
  public String name() {
    return model.name();
  }

  /**
   * The file it was loaded from, or where {@link DialogueBuilder} was used.
   *
   * @return the file
   */
  public Path file() {
    return model.file();
  }

  dev.promptly.dsl.Dialogue model() {
    return model;
  }

  @Override
  public String toString() {
    return "Dialogue[" + name() + "]";
  }
}
