package io.sluice.systemtest;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A peer or service started as an operating-system process, with its output in a log file. */
final class Proc implements AutoCloseable {
  private final String name;
  private final Process process;
  private final Path log;

  private Proc(String name, Process process, Path log) {
    this.name = name;
    this.process = process;
    this.log = log;
  }

  static Proc start(String name, Path logDir, List<String> command) throws IOException {
    Files.createDirectories(logDir);
    Path log = logDir.resolve(name + ".log");
    Files.writeString(log, String.join(" ", command) + System.lineSeparator());
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    return new Proc(name, builder.start(), log);
  }

  /** Runs a command to completion and returns its exit code; output goes to the log. */
  static int run(String name, Path logDir, List<String> command, long timeoutSeconds)
      throws IOException, InterruptedException {
    try (Proc proc = start(name, logDir, command)) {
      if (!proc.process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
        throw new IllegalStateException(name + " did not finish within " + timeoutSeconds + " s; see " + proc.log);
      }
      return proc.process.exitValue();
    }
  }

  boolean isAlive() {
    return process.isAlive();
  }

  String output() throws IOException {
    return Files.readString(log);
  }

  Path log() {
    return log;
  }

  void requireAlive() throws IOException {
    if (!process.isAlive()) {
      throw new IllegalStateException(name + " exited with " + process.exitValue() + ":\n" + output());
    }
  }

  /** SIGTERM first, so services drain as they would in production; SIGKILL after 20 s. */
  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(20, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public String toString() {
    return name;
  }
}
