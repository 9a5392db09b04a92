/**
 * JUnit 5 support: {@link dev.promptly.junit.DialogueTests} turns a folder of dialogue files
 * into dynamic tests, one per run; {@link dev.promptly.junit.PromptlyExtension} gives ordinary
 * tests blocking sessions whose children are cleaned up after each test. Needs
 * {@code org.junit.jupiter:junit-jupiter-api} on the test classpath (promptly declares it
 * optional).
 */
package dev.promptly.junit;
