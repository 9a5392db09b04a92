package dev.promptly.report;

import java.nio.file.Path;
import java.time.Instant;

/**
 * What is known about a run when its child starts.
 *
 * @param name run name ({@code echo}, {@code echo[text=a]}); unique within one batch of runs
 * @param file the dialogue file
 * @param command the command line as started (secrets masked)
 * @param pid the child's process id
 * @param quiet the dialogue asked to keep its output out of the live view
 * @param pty the child runs on a pseudo-terminal
 * @param rows terminal rows (pty only)
 * @param columns terminal columns (pty only)
 * @param term the child's {@code TERM}, or null
 * @param started when the run started
 */
public record RunInfo(String name, Path file, String command, long pid, boolean quiet,
                      boolean pty, int rows, int columns, String term, Instant started) {
}
