package io.sluice.ingress.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class CommandParserTest {
  private final CommandParser parser = new CommandParser();

  @Test
  void mailWithNullSenderAndParameters() {
    Command c = parser.parse("MAIL FROM:<> SIZE=1000 BODY=8BITMIME ret=hdrs ENVID=abc+2Bdef");
    assertThat(c).isEqualTo(new Command.MailFrom(ReversePath.NULL,
        Map.of("SIZE", "1000", "BODY", "8BITMIME", "RET", "hdrs", "ENVID", "abc+2Bdef")));
  }

  @Test
  void mailIsCaseInsensitiveAndToleratesASpaceAfterTheColon() {
    Command c = parser.parse("mail from: <Alice@Example.ORG>");
    assertThat(c).isEqualTo(new Command.MailFrom(new ReversePath.Of(new Mailbox("Alice", "Example.ORG")), Map.of()));
  }

  @Test
  void sourceRouteIsIgnored() {
    Command c = parser.parse("RCPT TO:<@hosta.int,@jkl.org:userc@d.bar.org>");
    assertThat(c).isEqualTo(new Command.RcptTo(new ForwardPath.Of(new Mailbox("userc", "d.bar.org")), Map.of()));
  }

  @Test
  void quotedLocalPartMayContainSpacesAndAngleBrackets() {
    Command c = parser.parse("RCPT TO:<\"john > doe\"@example.org> NOTIFY=SUCCESS,FAILURE");
    assertThat(c).isEqualTo(new Command.RcptTo(new ForwardPath.Of(new Mailbox("\"john > doe\"", "example.org")),
        Map.of("NOTIFY", "SUCCESS,FAILURE")));
  }

  @Test
  void barePostmasterIsItsOwnValue() {
    assertThat(parser.parse("RCPT TO:<Postmaster>")).isEqualTo(new Command.RcptTo(ForwardPath.POSTMASTER, Map.of()));
  }

  @Test
  void utf8AddressesParse() {
    Command c = parser.parse("MAIL FROM:<用户@例子.广告> SMTPUTF8");
    assertThat(c).isInstanceOf(Command.MailFrom.class);
    Command.MailFrom m = (Command.MailFrom) c;
    assertThat(((ReversePath.Of) m.from()).mailbox().isAscii()).isFalse();
    assertThat(m.params()).containsEntry("SMTPUTF8", "");
  }

  @Test
  void badPathsAreMalformedWithAddressSyntaxStatus() {
    for (String line : new String[] {"MAIL FROM:alice@example.org", "MAIL FROM:<alice@>", "MAIL FROM:<@example.org>",
        "RCPT TO:<>", "RCPT TO:<a..b@example.org>", "RCPT TO:<a@exa mple.org>", "MAIL FROM:<a@b>x"}) {
      Command c = parser.parse(line);
      assertThat(c).as(line).isInstanceOf(Command.Malformed.class);
      assertThat(((Command.Malformed) c).reply().code()).as(line).isEqualTo(501);
    }
  }

  @Test
  void overlongPathIsRejected() {
    String local = "a".repeat(64);
    String domain = ("b".repeat(60) + ".").repeat(4) + "org"; // > 256 octets with the local part
    assertThat(parser.parse("RCPT TO:<" + local + "@" + domain + ">")).isInstanceOf(Command.Malformed.class);
    assertThat(parser.parse("RCPT TO:<" + "a".repeat(65) + "@example.org>")).isInstanceOf(Command.Malformed.class);
  }

  @Test
  void duplicateParameterIsMalformed() {
    assertThat(parser.parse("MAIL FROM:<a@b.c> SIZE=1 SIZE=2")).isInstanceOf(Command.Malformed.class);
  }

  @Test
  void simpleCommands() {
    assertThat(parser.parse("EHLO client.example")).isEqualTo(new Command.Ehlo("client.example"));
    assertThat(parser.parse("helo [192.0.2.1]")).isEqualTo(new Command.Helo("[192.0.2.1]"));
    assertThat(parser.parse("DATA")).isEqualTo(new Command.Data());
    assertThat(parser.parse("rset")).isEqualTo(new Command.Rset());
    assertThat(parser.parse("NOOP anything")).isEqualTo(new Command.Noop());
    assertThat(parser.parse("QUIT")).isEqualTo(new Command.Quit());
    assertThat(parser.parse("VRFY bob")).isEqualTo(new Command.Vrfy("bob"));
    assertThat(parser.parse("HELP")).isEqualTo(new Command.Help(""));
    assertThat(parser.parse("STARTTLS")).isEqualTo(new Command.StartTls());
    assertThat(parser.parse("BDAT 100 LAST")).isEqualTo(new Command.Bdat(100, true));
    assertThat(parser.parse("BDAT 7")).isEqualTo(new Command.Bdat(7, false));
    assertThat(parser.parse("AUTH plain AGJvYgBzZWNyZXQ=")).isEqualTo(new Command.Auth("PLAIN", "AGJvYgBzZWNyZXQ="));
    assertThat(parser.parse("EXPN staff")).isEqualTo(new Command.NotImplemented("EXPN"));
    assertThat(parser.parse("FOO bar")).isEqualTo(new Command.Unknown("FOO"));
  }

  @Test
  void argumentsWhereNoneAreAllowedAreMalformed() {
    assertThat(parser.parse("DATA now")).isInstanceOf(Command.Malformed.class);
    assertThat(parser.parse("EHLO")).isInstanceOf(Command.Malformed.class);
    assertThat(parser.parse("BDAT x")).isInstanceOf(Command.Malformed.class);
    assertThat(parser.parse("BDAT 5 NOW")).isInstanceOf(Command.Malformed.class);
  }

  @Test
  void xtextDecodes() {
    assertThat(Xtext.decode("abc+2Bdef+3D")).isEqualTo("abc+def=");
    assertThat(Xtext.decode("rfc822+3Buser@example.org")).isEqualTo("rfc822;user@example.org");
  }
}
