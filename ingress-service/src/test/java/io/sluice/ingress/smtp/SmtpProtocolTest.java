package io.sluice.ingress.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.ingress.policy.Credentials;
import io.sluice.ingress.policy.RecipientPolicy;
import io.sluice.ingress.policy.SenderPolicy;
import io.sluice.schema.Notify;
import io.sluice.schema.Recipient;
import io.sluice.schema.Ret;
import java.net.InetAddress;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SmtpProtocolTest {
  private final CommandParser parser = new CommandParser();
  private final SmtpProtocol protocol =
      new SmtpProtocol(SmtpSettings.relay("mx.test", 1000), new RecipientPolicy(3), new SenderPolicy(Credentials::none));
  private final SessionContext trusted = session("127.0.0.1", true);
  private final SessionContext stranger = session("192.0.2.7", false);

  private static SessionContext session(String ip, boolean trusted) {
    try {
      return new SessionContext(InetAddress.getByName(ip), ListenerKind.RELAY, trusted, false);
    } catch (java.net.UnknownHostException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Runs the lines in order from a fresh session; returns the last step. */
  private Step run(SessionContext session, String... lines) {
    SessionState state = SessionState.CONNECTED;
    Step step = null;
    for (String line : lines) {
      step = protocol.handle(session, state, parser.parse(line));
      state = step.next();
    }
    return step;
  }

  @Test
  void happyPathReachesDataWithTheEnvelope() {
    Step step = run(trusted, "EHLO c.test", "MAIL FROM:<a@b.test> RET=HDRS ENVID=id+2B1",
        "RCPT TO:<r@d.test> NOTIFY=FAILURE,DELAY ORCPT=rfc822;r+2Bx@d.test", "DATA");
    assertThat(step.reply()).isEqualTo(Replies.START_DATA);
    Transaction tx = ((Step.Action.ReceiveData) step.action()).transaction();
    assertThat(tx.from().address()).isEqualTo("a@b.test");
    assertThat(tx.ret()).isEqualTo(Ret.HDRS);
    assertThat(tx.envid()).isEqualTo("id+1");
    assertThat(tx.recipients()).containsExactly(
        new Recipient("r@d.test", Set.of(Notify.FAILURE, Notify.DELAY), "rfc822;r+x@d.test"));
  }

  @Test
  void barePostmasterIsRefusedWithoutAnAddressToRouteItTo() {
    assertThat(run(trusted, "EHLO c.test", "MAIL FROM:<a@b.test>", "RCPT TO:<Postmaster>").reply())
        .isEqualTo(Replies.NO_LOCAL_MAILBOXES);
  }

  @Test
  void barePostmasterIsAcceptedFromAnyClientAndRoutedToTheConfiguredAddress() {
    SmtpProtocol routed = new SmtpProtocol(SmtpSettings.relay("mx.test", 1000),
        new RecipientPolicy(3, java.util.Optional.of(new Mailbox("hostmaster", "ops.test"))),
        new SenderPolicy(Credentials::none));
    SessionState state = SessionState.CONNECTED;
    for (String line : new String[] {"EHLO c.test", "MAIL FROM:<a@b.test>"}) {
      state = routed.handle(stranger, state, parser.parse(line)).next();
    }
    Step postmaster = routed.handle(stranger, state, parser.parse("RCPT TO:<postMaster>"));
    assertThat(postmaster.reply()).isEqualTo(Replies.RECIPIENT_OK);
    // Any other recipient from this stranger is still relaying, and refused.
    Step other = routed.handle(stranger, postmaster.next(), parser.parse("RCPT TO:<r@d.test>"));
    assertThat(other.reply()).isEqualTo(Replies.RELAY_DENIED);
    Step data = routed.handle(stranger, other.next(), parser.parse("DATA"));
    assertThat(((Step.Action.ReceiveData) data.action()).transaction().recipients())
        .containsExactly(Recipient.of("hostmaster@ops.test"));
  }

  @Test
  void ehloAdvertisesTheExtensions() {
    Step step = run(trusted, "EHLO c.test");
    assertThat(step.reply().code()).isEqualTo(250);
    assertThat(step.reply().lines()).containsExactly("mx.test", "PIPELINING", "SIZE 1000", "8BITMIME", "SMTPUTF8", "DSN",
        "ENHANCEDSTATUSCODES", "CHUNKING");
    assertThat(step.next()).isEqualTo(new SessionState.Ready(new Greeting("c.test", true)));
  }

  @Test
  void outOfOrderCommandsGet503() {
    assertThat(run(trusted, "MAIL FROM:<a@b.test>").reply()).isEqualTo(Replies.NEED_HELO);
    assertThat(run(trusted, "EHLO c", "RCPT TO:<r@d.test>").reply()).isEqualTo(Replies.NEED_MAIL);
    assertThat(run(trusted, "EHLO c", "DATA").reply()).isEqualTo(Replies.NEED_MAIL);
    assertThat(run(trusted, "EHLO c", "MAIL FROM:<a@b.test>", "DATA").reply()).isEqualTo(Replies.NEED_RCPT);
    assertThat(run(trusted, "EHLO c", "MAIL FROM:<a@b.test>", "MAIL FROM:<a@b.test>").reply())
        .isEqualTo(Replies.NESTED_MAIL);
    assertThat(run(trusted, "EHLO c", "MAIL FROM:<a@b.test>", "RCPT TO:<r@d.test>", "RSET", "DATA").reply())
        .isEqualTo(Replies.NEED_MAIL);
    assertThat(Replies.NEED_MAIL.code()).isEqualTo(503);
  }

  @Test
  void rsetKeepsTheGreetingAndEhloDropsTheTransaction() {
    Step rset = run(trusted, "EHLO c", "MAIL FROM:<a@b.test>", "RSET");
    assertThat(rset.next()).isEqualTo(new SessionState.Ready(new Greeting("c", true)));
    Step ehlo = run(trusted, "EHLO c", "MAIL FROM:<a@b.test>", "EHLO d");
    assertThat(ehlo.next()).isEqualTo(new SessionState.Ready(new Greeting("d", true)));
  }

  @Test
  void strangersAreNotAllowedToRelay() {
    Step step = run(stranger, "EHLO c", "MAIL FROM:<a@b.test>", "RCPT TO:<r@d.test>");
    assertThat(step.reply()).isEqualTo(Replies.RELAY_DENIED);
    assertThat(step.reply().toString()).startsWith("554 5.7.1");
    Step data = protocol.handle(stranger, step.next(), new Command.Data());
    assertThat(data.reply()).isEqualTo(Replies.NO_VALID_RECIPIENTS);
  }

  @Test
  void recipientLimitGives452() {
    Step step = run(trusted, "EHLO c", "MAIL FROM:<a@b.test>", "RCPT TO:<r1@d.test>", "RCPT TO:<r2@d.test>",
        "RCPT TO:<r3@d.test>", "RCPT TO:<r4@d.test>");
    assertThat(step.reply().toString()).startsWith("452 4.5.3");
    assertThat(((SessionState.InTransaction) step.next()).transaction().recipients()).hasSize(3);
  }

  @Test
  void declaredSizeAboveTheLimitIsRefusedAtMail() {
    assertThat(run(trusted, "EHLO c", "MAIL FROM:<a@b.test> SIZE=1001").reply()).isEqualTo(Replies.MESSAGE_TOO_BIG);
    assertThat(run(trusted, "EHLO c", "MAIL FROM:<a@b.test> SIZE=1000").reply()).isEqualTo(Replies.SENDER_OK);
  }

  @Test
  void nonAsciiAddressesNeedSmtputf8() {
    assertThat(run(trusted, "EHLO c", "MAIL FROM:<δ@b.test>").reply()).isEqualTo(Replies.UTF8_NOT_ANNOUNCED);
    assertThat(run(trusted, "EHLO c", "MAIL FROM:<a@b.test>", "RCPT TO:<δ@d.test>").reply())
        .isEqualTo(Replies.UTF8_NOT_ANNOUNCED);
    Step ok = run(trusted, "EHLO c", "MAIL FROM:<δ@b.test> SMTPUTF8", "RCPT TO:<用户@例子.test>");
    assertThat(ok.reply()).isEqualTo(Replies.RECIPIENT_OK);
    assertThat(((SessionState.InTransaction) ok.next()).transaction().smtputf8()).isTrue();
  }

  @Test
  void badDsnParametersAreSyntaxErrors() {
    assertThat(run(trusted, "EHLO c", "MAIL FROM:<a@b.test> RET=BODY").reply().code()).isEqualTo(501);
    assertThat(run(trusted, "EHLO c", "MAIL FROM:<a@b.test>", "RCPT TO:<r@d.test> NOTIFY=NEVER,SUCCESS").reply().code())
        .isEqualTo(501);
    assertThat(run(trusted, "EHLO c", "MAIL FROM:<a@b.test>", "RCPT TO:<r@d.test> ORCPT=nosemicolon").reply().code())
        .isEqualTo(501);
    assertThat(run(trusted, "EHLO c", "MAIL FROM:<a@b.test> FOO=1").reply().code()).isEqualTo(555);
    assertThat(run(trusted, "EHLO c", "MAIL FROM:<a@b.test> BODY=BINARYMIME").reply().code()).isEqualTo(504);
  }

  @Test
  void bdatNeedsATransactionAndExcludesData() {
    Step early = run(trusted, "EHLO c", "BDAT 10 LAST");
    assertThat(early.reply()).isEqualTo(Replies.NEED_MAIL);
    assertThat(early.action()).isEqualTo(new Step.Action.DiscardChunk(10)); // stay in step with the client
    Step noRcpt = run(trusted, "EHLO c", "MAIL FROM:<a@b.test>", "BDAT 3");
    assertThat(noRcpt.reply()).isEqualTo(Replies.NEED_RCPT);
    assertThat(noRcpt.action()).isEqualTo(new Step.Action.DiscardChunk(3));
    Step chunk = run(trusted, "EHLO c", "MAIL FROM:<a@b.test>", "RCPT TO:<r@d.test>", "BDAT 5");
    assertThat(chunk.action()).isInstanceOf(Step.Action.ReceiveChunk.class);
    Step data = protocol.handle(trusted, chunk.next(), new Command.Data());
    assertThat(data.reply()).isEqualTo(Replies.DATA_AFTER_BDAT);
  }

  @Test
  void authIsNotOfferedOrAcceptedWithoutTls() {
    SmtpProtocol withAuth = new SmtpProtocol(new SmtpSettings("mx.test", 1000, true, java.util.List.of("PLAIN", "LOGIN"),
        true), new RecipientPolicy(3), new SenderPolicy(Credentials::none));
    SessionContext clear = new SessionContext(InetAddress.getLoopbackAddress(), ListenerKind.SUBMISSION, true, false);
    Step ehlo = withAuth.handle(clear, SessionState.CONNECTED, parser.parse("EHLO c"));
    assertThat(ehlo.reply().lines()).contains("STARTTLS").noneMatch(l -> l.startsWith("AUTH"));
    assertThat(withAuth.handle(clear, ehlo.next(), parser.parse("AUTH PLAIN")).reply().code()).isEqualTo(538);
    // Submission: no MAIL before TLS and AUTH, even from a trusted network.
    assertThat(withAuth.handle(clear, ehlo.next(), parser.parse("MAIL FROM:<a@b.test>")).reply())
        .isEqualTo(Replies.ENCRYPTION_REQUIRED);
    SessionContext tls = new SessionContext(InetAddress.getLoopbackAddress(), ListenerKind.SUBMISSION, true, true);
    Step tlsEhlo = withAuth.handle(tls, SessionState.CONNECTED, parser.parse("EHLO c"));
    assertThat(tlsEhlo.reply().lines()).contains("AUTH PLAIN LOGIN").doesNotContain("STARTTLS");
    assertThat(withAuth.handle(tls, tlsEhlo.next(), parser.parse("MAIL FROM:<a@b.test>")).reply())
        .isEqualTo(Replies.AUTH_REQUIRED);
    assertThat(withAuth.handle(tls, tlsEhlo.next(), parser.parse("AUTH PLAIN")).action())
        .isEqualTo(new Step.Action.Authenticate("PLAIN", null));
  }

  @Test
  void otherCommands() {
    assertThat(run(trusted, "VRFY bob").reply().code()).isEqualTo(252);
    assertThat(run(trusted, "HELP").reply().code()).isEqualTo(214);
    assertThat(run(trusted, "NOOP").reply()).isEqualTo(Replies.NOOP_OK);
    assertThat(run(trusted, "QUIT").action()).isEqualTo(Step.Action.CLOSE);
    assertThat(run(trusted, "EXPN staff").reply().code()).isEqualTo(502);
    assertThat(run(trusted, "XYZZY").reply().code()).isEqualTo(500);
    assertThat(run(trusted, "STARTTLS").reply().code()).isEqualTo(502); // no certificate configured
  }

  @Test
  void everyReplyButGreetingEhloAndIntermediateCarriesAnEnhancedStatus() {
    for (String line : new String[] {"HELO x", "MAIL FROM:<a@b.test>", "RCPT TO:<r@d.test>", "DATA", "RSET", "NOOP",
        "VRFY x", "HELP", "FOO", "QUIT"}) {
      Step step = run(trusted, line);
      if (!line.startsWith("HELO")) {
        assertThat(step.reply().status()).as(line).isNotNull();
        assertThat(new String(step.reply().toWire())).as(line).matches("\\d{3} [245]\\.\\d+\\.\\d+ .*\r\n");
      }
    }
  }
}
