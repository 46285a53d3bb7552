package io.sluice.ingress.smtp;

import io.sluice.ingress.policy.Credentials;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;

/**
 * The server side of AUTH PLAIN (RFC 4616) and AUTH LOGIN (draft-murchison-sasl-login), as used by
 * SMTP AUTH (RFC 4954 §4). Runs on the session's input and output; the session has already checked
 * that TLS is on and no transaction is open.
 */
public final class SaslExchange {
  /** RFC 4954 §4: a server should accept AUTH lines of at least 12288 octets. */
  static final int MAX_LINE = 12_288;

  /** How the exchange ended. */
  public sealed interface Outcome {
    record Success(String user) implements Outcome {}

    /** Wrong credentials: counts toward the failure cap. */
    record Failure(SmtpReply reply) implements Outcome {}

    /** The client cancelled or sent malformed data: a reply, no failure counted. */
    record Aborted(SmtpReply reply) implements Outcome {}

    record Disconnected() implements Outcome {}
  }

  /** Sends a 334 challenge and reads the client's response line. */
  interface Channel {
    void challenge(String base64) throws IOException;

    SmtpInput.Line readLine(int max) throws IOException;
  }

  private final java.util.function.Supplier<Credentials> credentials;

  public SaslExchange(java.util.function.Supplier<Credentials> credentials) {
    this.credentials = credentials;
  }

  public Outcome run(String mechanism, String initialResponse, Channel channel) throws IOException {
    return switch (mechanism) {
      case "PLAIN" -> plain(initialResponse, channel);
      case "LOGIN" -> login(initialResponse, channel);
      default -> new Outcome.Aborted(Replies.AUTH_MECHANISM_UNKNOWN);
    };
  }

  private Outcome plain(String initial, Channel channel) throws IOException {
    byte[] response;
    if (initial == null) {
      Response r = ask("", channel);
      if (r.outcome != null) {
        return r.outcome;
      }
      response = r.bytes;
    } else {
      // RFC 4954 §4: "=" stands for an empty initial response.
      response = decode(initial.equals("=") ? "" : initial);
      if (response == null) {
        return new Outcome.Aborted(Replies.AUTH_BAD_BASE64);
      }
    }
    // RFC 4616 §2: [authzid] NUL authcid NUL passwd
    int first = indexOf(response, 0);
    int second = first < 0 ? -1 : indexOf(response, first + 1);
    if (first < 0 || second < 0) {
      return new Outcome.Aborted(Replies.BAD_SYNTAX.withText("Error: malformed PLAIN response"));
    }
    String authzid = new String(response, 0, first, StandardCharsets.UTF_8);
    String user = new String(response, first + 1, second - first - 1, StandardCharsets.UTF_8);
    char[] password = new String(response, second + 1, response.length - second - 1, StandardCharsets.UTF_8).toCharArray();
    Arrays.fill(response, (byte) 0);
    if (!authzid.isEmpty() && !authzid.equals(user)) {
      return new Outcome.Failure(Replies.AUTH_FAILED); // no proxy authorisation
    }
    return verify(user, password);
  }

  private Outcome login(String initial, Channel channel) throws IOException {
    byte[] userBytes;
    if (initial != null) {
      userBytes = decode(initial);
      if (userBytes == null) {
        return new Outcome.Aborted(Replies.AUTH_BAD_BASE64);
      }
    } else {
      Response r = ask("VXNlcm5hbWU6", channel); // "Username:"
      if (r.outcome != null) {
        return r.outcome;
      }
      userBytes = r.bytes;
    }
    Response p = ask("UGFzc3dvcmQ6", channel); // "Password:"
    if (p.outcome != null) {
      return p.outcome;
    }
    char[] password = new String(p.bytes, StandardCharsets.UTF_8).toCharArray();
    Arrays.fill(p.bytes, (byte) 0);
    return verify(new String(userBytes, StandardCharsets.UTF_8), password);
  }

  private Outcome verify(String user, char[] password) {
    try {
      Credentials.User ok = credentials.get().verify(user, password);
      return ok == null ? new Outcome.Failure(Replies.AUTH_FAILED) : new Outcome.Success(ok.name());
    } finally {
      Arrays.fill(password, '\0');
    }
  }

  private record Response(byte[] bytes, Outcome outcome) {}

  private static Response ask(String challenge, Channel channel) throws IOException {
    channel.challenge(challenge);
    return switch (channel.readLine(MAX_LINE)) {
      case SmtpInput.Line.Eof e -> new Response(null, new Outcome.Disconnected());
      case SmtpInput.Line.TooLong t -> new Response(null, new Outcome.Aborted(Replies.AUTH_LINE_TOO_LONG));
      case SmtpInput.Line.Text(byte[] line) -> {
        String text = new String(line, StandardCharsets.US_ASCII).strip();
        if (text.equals("*")) {
          yield new Response(null, new Outcome.Aborted(Replies.AUTH_CANCELLED)); // RFC 4954 §4
        }
        byte[] bytes = decode(text);
        yield bytes == null ? new Response(null, new Outcome.Aborted(Replies.AUTH_BAD_BASE64)) : new Response(bytes, null);
      }
    };
  }

  private static byte[] decode(String base64) {
    try {
      return Base64.getDecoder().decode(base64);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  private static int indexOf(byte[] bytes, int from) {
    for (int i = from; i < bytes.length; i++) {
      if (bytes[i] == 0) {
        return i;
      }
    }
    return -1;
  }

  /** The 334 challenge reply (RFC 4954 §4: no enhanced status, only base64). */
  static SmtpReply challengeReply(String base64) {
    return SmtpReply.bare(334, List.of(base64));
  }
}
