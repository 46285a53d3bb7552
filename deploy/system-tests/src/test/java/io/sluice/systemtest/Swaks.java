package io.sluice.systemtest;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Submits mail through ingress with swaks, the real SMTP client the tests use as a peer. */
final class Swaks {
  private static final Pattern QUEUED = Pattern.compile("<-\\s+250 2\\.0\\.0 Ok: queued as ([0-9A-Z]{26})");

  private Swaks() {}

  record Result(int exitCode, String transcript) {
    /** The queue id from the 250 reply to the end of DATA. */
    String queueId() {
      Matcher m = QUEUED.matcher(transcript);
      if (!m.find()) {
        throw new AssertionError("no '250 2.0.0 Ok: queued as <id>' in the swaks transcript:\n" + transcript);
      }
      return m.group(1);
    }
  }

  /** Sends {@code message} (raw RFC 5322 bytes ending in CRLF) from {@code from} to {@code to} via EHLO, MAIL, RCPT, DATA, QUIT. */
  static Result send(int port, String from, String to, byte[] message) throws IOException, InterruptedException {
    return send(port, from, to, message, List.of());
  }

  /** As {@link #send(int, String, String, byte[])}, connecting from the loopback address {@code localAddress}. */
  static Result sendFrom(String localAddress, int port, String from, String to, byte[] message)
      throws IOException, InterruptedException {
    return send(port, from, to, message, List.of("--local-interface", localAddress));
  }

  private static Result send(int port, String from, String to, byte[] message, List<String> options)
      throws IOException, InterruptedException {
    Path data = Files.createTempFile("sluice-message", ".eml");
    // swaks ends DATA by sending <CRLF>.<CRLF> after the file, so the file holds the message
    // without its final line break; the server then receives exactly `message`.
    int length = message.length;
    if (length >= 2 && message[length - 2] == '\r' && message[length - 1] == '\n') {
      length -= 2;
    }
    Files.write(data, java.util.Arrays.copyOf(message, length));
    List<String> command = new ArrayList<>(List.of("swaks", "--server", "127.0.0.1:" + port,
        "--ehlo", "client.systemtest", "--from", from, "--to", to, "--data", "@" + data,
        "--timeout", "60"));
    command.addAll(options);
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String transcript = new String(process.getInputStream().readAllBytes());
    int exit = process.waitFor();
    Files.delete(data);
    return new Result(exit, transcript);
  }

  /** Sends an ASCII message that ingress must accept; returns its queue id. */
  static String submit(int port, String from, String to, String message) throws IOException, InterruptedException {
    Result result = send(port, from, to, message.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    if (result.exitCode() != 0) {
      throw new AssertionError("swaks exited with " + result.exitCode() + ":\n" + result.transcript());
    }
    return result.queueId();
  }
}
