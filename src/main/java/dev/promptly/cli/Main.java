package dev.promptly.cli;

/** The {@code promptly} command. */
public final class Main {
  private Main() {
  }

  public static void main(String[] args) {
    // Set before the first Vertx is made: promptly resolves no host names and serves no files.
    System.setProperty("vertx.disableDnsResolver", "true");
    System.setProperty("vertx.disableFileCPResolving", "true");
    System.exit(PromptlyCommand.execute(args, Streams.stdout(), Streams.stderr()));
  }
}
