package io.sluice.ingress.smtp;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Turns one command line (without its CRLF) into a {@link Command}. Pure and stateless: whether a
 * command is allowed now is the session's business ({@link SmtpProtocol}), not the parser's.
 *
 * <p>Grammar: RFC 5321 §4.1.1-§4.1.2; ESMTP parameters RFC 5321 §4.1.2 {@code esmtp-param}; UTF-8 in
 * addresses is parsed here and policed by the session (RFC 6531 §3.3).
 */
public final class CommandParser {
  /** RFC 5321 §4.5.3.1.3: a path is at most 256 octets including the angle brackets. */
  static final int MAX_PATH = 256;
  /** RFC 5321 §4.5.3.1.1. */
  static final int MAX_LOCAL_PART = 64;
  /** RFC 5321 §4.5.3.1.2. */
  static final int MAX_DOMAIN = 255;

  public Command parse(String line) {
    int space = line.indexOf(' ');
    String verb = (space < 0 ? line : line.substring(0, space)).toUpperCase(Locale.ROOT);
    String args = space < 0 ? "" : line.substring(space + 1);
    return switch (verb) {
      case "EHLO" -> domainArg(args) ? new Command.Ehlo(args.strip()) : malformed(verb, "Syntax: EHLO hostname");
      case "HELO" -> domainArg(args) ? new Command.Helo(args.strip()) : malformed(verb, "Syntax: HELO hostname");
      case "MAIL" -> mail(args);
      case "RCPT" -> rcpt(args);
      case "DATA" -> noArgs(verb, args, new Command.Data());
      case "RSET" -> noArgs(verb, args, new Command.Rset());
      case "QUIT" -> noArgs(verb, args, new Command.Quit());
      case "STARTTLS" -> noArgs(verb, args, new Command.StartTls());
      case "NOOP" -> new Command.Noop(); // RFC 5321 §4.1.1.9: a parameter is allowed and ignored
      case "HELP" -> new Command.Help(args.strip());
      case "VRFY" -> args.isBlank() ? malformed(verb, "Syntax: VRFY address") : new Command.Vrfy(args.strip());
      case "BDAT" -> bdat(args);
      case "AUTH" -> auth(args);
      case "EXPN", "TURN", "ETRN", "ATRN", "SEND", "SOML", "SAML", "VERB" -> new Command.NotImplemented(verb);
      default -> new Command.Unknown(verb.length() > 16 ? verb.substring(0, 16) : verb);
    };
  }

  private static Command noArgs(String verb, String args, Command command) {
    return args.isBlank() ? command : malformed(verb, "Syntax: " + verb + " takes no parameters");
  }

  private static boolean domainArg(String args) {
    String d = args.strip();
    return !d.isEmpty() && d.indexOf(' ') < 0 && d.length() <= MAX_DOMAIN;
  }

  private static Command.Malformed malformed(String verb, String text) {
    return new Command.Malformed(verb, Replies.BAD_SYNTAX.withText(text));
  }

  private static Command.Malformed malformed(String verb, SmtpReply reply) {
    return new Command.Malformed(verb, reply);
  }

  private Command mail(String args) {
    if (!startsWithIgnoreCase(args, "FROM:")) {
      return malformed("MAIL", "Syntax: MAIL FROM:<address> [parameters]");
    }
    PathAndRest p = path(args.substring(5).stripLeading());
    if (p == null) {
      return malformed("MAIL", Replies.BAD_ADDRESS_SYNTAX);
    }
    Map<String, String> params = params(p.rest);
    if (params == null) {
      return malformed("MAIL", Replies.BAD_SYNTAX.withText("Error: bad MAIL parameter syntax"));
    }
    if (p.inner.isEmpty()) {
      return new Command.MailFrom(ReversePath.NULL, params);
    }
    Mailbox mailbox = mailbox(p.inner);
    return mailbox == null
        ? malformed("MAIL", Replies.BAD_ADDRESS_SYNTAX)
        : new Command.MailFrom(new ReversePath.Of(mailbox), params);
  }

  private Command rcpt(String args) {
    if (!startsWithIgnoreCase(args, "TO:")) {
      return malformed("RCPT", "Syntax: RCPT TO:<address> [parameters]");
    }
    PathAndRest p = path(args.substring(3).stripLeading());
    if (p == null || p.inner.isEmpty()) {
      return malformed("RCPT", Replies.BAD_ADDRESS_SYNTAX);
    }
    Map<String, String> params = params(p.rest);
    if (params == null) {
      return malformed("RCPT", Replies.BAD_SYNTAX.withText("Error: bad RCPT parameter syntax"));
    }
    if (p.inner.equalsIgnoreCase("postmaster")) {
      return new Command.RcptTo(ForwardPath.POSTMASTER, params);
    }
    Mailbox mailbox = mailbox(p.inner);
    return mailbox == null
        ? malformed("RCPT", Replies.BAD_ADDRESS_SYNTAX)
        : new Command.RcptTo(new ForwardPath.Of(mailbox), params);
  }

  private static Command bdat(String args) {
    String[] parts = args.strip().split(" +");
    if (parts.length == 0 || parts.length > 2 || !parts[0].matches("[0-9]{1,18}")) {
      return malformed("BDAT", "Syntax: BDAT size [LAST]");
    }
    boolean last = parts.length == 2;
    if (last && !parts[1].equalsIgnoreCase("LAST")) {
      return malformed("BDAT", "Syntax: BDAT size [LAST]");
    }
    return new Command.Bdat(Long.parseLong(parts[0]), last);
  }

  private static Command auth(String args) {
    String[] parts = args.strip().split(" +");
    if (parts.length == 0 || parts[0].isEmpty() || parts.length > 2) {
      return malformed("AUTH", "Syntax: AUTH mechanism [initial-response]");
    }
    return new Command.Auth(parts[0].toUpperCase(Locale.ROOT), parts.length == 2 ? parts[1] : null);
  }

  private record PathAndRest(String inner, String rest) {}

  /**
   * Reads {@code <...>} from the start of {@code s}: returns what is inside (source route removed)
   * and what follows. Null when there is no well-formed path.
   */
  private static PathAndRest path(String s) {
    if (s.isEmpty() || s.charAt(0) != '<') {
      return null;
    }
    boolean quoted = false;
    int end = -1;
    for (int i = 1; i < s.length(); i++) {
      char c = s.charAt(i);
      if (quoted && c == '\\') {
        i++; // quoted-pair
      } else if (c == '"') {
        quoted = !quoted;
      } else if (c == '>' && !quoted) {
        end = i;
        break;
      }
    }
    if (end < 0 || s.substring(0, end + 1).getBytes(StandardCharsets.UTF_8).length > MAX_PATH) {
      return null;
    }
    String inner = s.substring(1, end);
    String rest = s.substring(end + 1);
    if (!rest.isEmpty() && rest.charAt(0) != ' ') {
      return null;
    }
    // RFC 5321 §4.1.2 / Appendix C: accept and ignore a source route "@a,@b:user@c".
    if (inner.startsWith("@")) {
      int colon = inner.indexOf(':');
      if (colon < 0) {
        return null;
      }
      inner = inner.substring(colon + 1);
    }
    return new PathAndRest(inner, rest.strip());
  }

  /** Parses {@code local-part@domain}; null when it is not a valid mailbox. */
  static Mailbox mailbox(String s) {
    int at = s.lastIndexOf('@');
    if (at <= 0 || at == s.length() - 1) {
      return null;
    }
    String local = s.substring(0, at);
    String domain = s.substring(at + 1);
    if (!validLocalPart(local) || !validDomain(domain)) {
      return null;
    }
    return new Mailbox(local, domain);
  }

  private static boolean validLocalPart(String local) {
    if (local.getBytes(StandardCharsets.UTF_8).length > MAX_LOCAL_PART) {
      return false;
    }
    if (local.startsWith("\"")) {
      if (local.length() < 2 || !local.endsWith("\"")) {
        return false;
      }
      for (int i = 1; i < local.length() - 1; i++) {
        char c = local.charAt(i);
        if (c == '\\') {
          i++;
        } else if (c == '"' || c < 0x20 || c == 0x7f) {
          return false;
        }
      }
      return true;
    }
    // Dot-string: atoms of atext (or UTF-8, RFC 6531 §3.3) separated by single dots.
    if (local.startsWith(".") || local.endsWith(".") || local.contains("..")) {
      return false;
    }
    for (int i = 0; i < local.length(); i++) {
      char c = local.charAt(i);
      if (!(isAtext(c) || c == '.' || c >= 0x80)) {
        return false;
      }
    }
    return true;
  }

  private static boolean isAtext(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
        || "!#$%&'*+-/=?^_`{|}~".indexOf(c) >= 0;
  }

  static boolean validDomain(String domain) {
    if (domain.isEmpty() || domain.getBytes(StandardCharsets.UTF_8).length > MAX_DOMAIN) {
      return false;
    }
    if (domain.startsWith("[")) {
      // address-literal: [IPv4] or [IPv6:...] or [tag:content] (RFC 5321 §4.1.3)
      return domain.endsWith("]") && domain.length() > 2
          && domain.substring(1, domain.length() - 1).chars().allMatch(c -> c > 0x20 && c < 0x7f
              && c != '[' && c != ']' && c != '\\');
    }
    for (String label : domain.split("\\.", -1)) {
      if (label.isEmpty() || label.length() > 63 || label.startsWith("-") || label.endsWith("-")) {
        return false;
      }
      for (int i = 0; i < label.length(); i++) {
        char c = label.charAt(i);
        boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
            || c == '-' || c == '_' || c >= 0x80; // U-labels only with SMTPUTF8, checked by the session
        if (!ok) {
          return false;
        }
      }
    }
    return true;
  }

  /** Parses {@code KEY[=value] ...}; null on a syntax error or a duplicate keyword. */
  private static Map<String, String> params(String rest) {
    Map<String, String> out = new LinkedHashMap<>();
    if (rest.isEmpty()) {
      return out;
    }
    for (String token : rest.split(" +")) {
      int eq = token.indexOf('=');
      String key = (eq < 0 ? token : token.substring(0, eq)).toUpperCase(Locale.ROOT);
      String value = eq < 0 ? "" : token.substring(eq + 1);
      if (key.isEmpty() || !key.matches("[A-Z0-9][A-Z0-9-]*") || (eq >= 0 && value.isEmpty())) {
        return null;
      }
      for (int i = 0; i < value.length(); i++) {
        char c = value.charAt(i);
        if (c == '=' || (c < 0x21) || c == 0x7f) {
          return null;
        }
      }
      if (out.putIfAbsent(key, value) != null) {
        return null;
      }
    }
    return out;
  }

  private static boolean startsWithIgnoreCase(String s, String prefix) {
    return s.regionMatches(true, 0, prefix, 0, prefix.length());
  }
}
