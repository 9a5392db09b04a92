/**
 * promptly as a library: the public face of the engine.
 *
 * <ul>
 *   <li>{@link dev.promptly.api.Promptly}: the engine, on your Vert.x instance or its own;
 *       spawns children and runs dialogues;</li>
 *   <li>{@link dev.promptly.api.Session}: one child, asynchronous (Vert.x futures, handlers and
 *       event bus events), with {@link dev.promptly.api.Expectation}, {@link dev.promptly.api.Match}
 *       and {@link dev.promptly.api.Exit};</li>
 *   <li>{@link dev.promptly.api.Expect} and {@link dev.promptly.api.BlockingSession}: the
 *       blocking facade for scripts and tests;</li>
 *   <li>{@link dev.promptly.api.DialogueBuilder}: dialogues built in Java, run by the same
 *       interpreter as YAML ones.</li>
 * </ul>
 */
package dev.promptly.api;
