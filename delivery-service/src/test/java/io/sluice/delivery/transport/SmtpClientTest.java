package io.sluice.delivery.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.delivery.route.TargetHost;
import io.sluice.schema.Notify;
import io.sluice.schema.Recipient;
import io.sluice.schema.Ret;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The SMTP client against a real server on an ephemeral TCP port. */
class SmtpClientTest {
  private static final byte[] MESSAGE = ("Received: from x by y; Mon, 23 Nov 2026 12:00:00 +0000\r\n"
      + "Subject: test\r\n\r\nbody\r\n.leading dot\r\n..two dots\r\n.\r\nlast\r\n").getBytes(StandardCharsets.US_ASCII);

  private final SmtpClient client = new SmtpClient("client.test", SmtpTimeouts.uniform(Duration.ofSeconds(5)));
  private TestSmtpServer server;

  @BeforeEach
  void start() throws IOException {
    server = new TestSmtpServer();
  }

  @AfterEach
  void stop() throws IOException {
    server.close();
  }

  private static TargetHost host(int port) {
    return new TargetHost("mx.test", List.of(InetAddress.getLoopbackAddress()), port);
  }

  private static Envelope envelope(String from, String... rcpts) {
    return new Envelope(from, java.util.Arrays.stream(rcpts).map(Recipient::of).toList(), null, null, false, MESSAGE);
  }

  @Test
  void deliversTheStoredBytesExactlyWithDotStuffingUndoneByTheServer() {
    TransactionResult result = client.deliver(List.of(host(server.port())), envelope("a@src.test", "b@dst.test"));

    assertThat(result.replies()).singleElement().satisfies(r -> {
      assertThat(r.reply().code()).isEqualTo(250);
      assertThat(r.reply().enhancedStatus()).isEqualTo("2.0.0");
    });
    assertThat(result.remoteMta()).isEqualTo("mx.test[127.0.0.1]:" + server.port());
    assertThat(server.transactions).singleElement().satisfies(t -> {
      assertThat(t.data()).isEqualTo(MESSAGE);
      assertThat(t.mailFrom()).startsWith("<a@src.test> SIZE=" + MESSAGE.length);
      assertThat(t.rcpts()).containsExactly("b@dst.test");
    });
  }

  @Test
  void nullSenderAndPartialSuccessGiveOneReplyPerRecipient() {
    server.rcptReply = rcpt -> rcpt.startsWith("bad") ? "550 5.1.1 <" + rcpt + ">: no such user" : "250 2.1.5 Ok";

    TransactionResult result = client.deliver(List.of(host(server.port())),
        envelope("", "good@dst.test", "bad@dst.test", "good2@dst.test"));

    assertThat(result.replies()).extracting(r -> r.recipient().address() + "=" + r.reply().code())
        .containsExactly("good@dst.test=250", "bad@dst.test=550", "good2@dst.test=250");
    assertThat(result.replies().get(1).reply().enhancedStatus()).isEqualTo("5.1.1");
    assertThat(server.transactions).singleElement().satisfies(t -> {
      assertThat(t.mailFrom()).startsWith("<>");
      assertThat(t.rcpts()).containsExactly("good@dst.test", "good2@dst.test");
    });
  }

  @Test
  void fallsBackToHeloWhenEhloIsRefusedAndSendsNoExtensions() {
    server.ehlo = false;

    TransactionResult result = client.deliver(List.of(host(server.port())), envelope("a@src.test", "b@dst.test"));

    assertThat(result.replies()).singleElement().satisfies(r -> assertThat(r.reply().code()).isEqualTo(250));
    assertThat(server.allCommands).contains("HELO client.test").contains("MAIL FROM:<a@src.test>");
  }

  @Test
  void movesToTheNextHostOnConnectionFailureAnd4xxGreeting() throws IOException {
    int closedPort;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closedPort = s.getLocalPort();
    }
    try (TestSmtpServer busy = new TestSmtpServer()) {
      busy.greeting = "421 4.3.2 busy, try later";

      TransactionResult result = client.deliver(List.of(host(closedPort), host(busy.port()), host(server.port())),
          envelope("a@src.test", "b@dst.test"));

      assertThat(result.replies()).singleElement().satisfies(r -> assertThat(r.reply().code()).isEqualTo(250));
      assertThat(result.remoteMta()).endsWith(":" + server.port());
      assertThat(busy.transactions).isEmpty();
    }
  }

  @Test
  void whenNoHostAnswersEveryRecipientGetsATemporaryReply() throws IOException {
    int closedPort;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closedPort = s.getLocalPort();
    }

    TransactionResult result = client.deliver(List.of(host(closedPort)), envelope("a@src.test", "b@dst.test", "c@dst.test"));

    assertThat(result.replies()).hasSize(2).allSatisfy(r -> {
      assertThat(r.reply().code()).isEqualTo(421);
      assertThat(r.reply().enhancedStatus()).isEqualTo("4.4.1");
    });
  }

  @Test
  void aRejectedDataPhaseAppliesToEveryAcceptedRecipient() {
    server.dataReply = "554 5.7.1 spam";

    TransactionResult result = client.deliver(List.of(host(server.port())), envelope("a@src.test", "b@dst.test", "c@dst.test"));

    assertThat(result.replies()).extracting(r -> r.reply().code()).containsExactly(554, 554);
  }

  @Test
  void aMessageOverTheServersSizeLimitBouncesWithoutBeingSent() {
    server.extensions = List.of("SIZE 10");

    TransactionResult result = client.deliver(List.of(host(server.port())), envelope("a@src.test", "b@dst.test"));

    assertThat(result.replies()).singleElement().satisfies(r -> {
      assertThat(r.reply().code()).isEqualTo(552);
      assertThat(r.reply().enhancedStatus()).isEqualTo("5.3.4");
    });
    assertThat(server.allCommands).noneMatch(c -> c.startsWith("MAIL"));
  }

  @Test
  void nonAsciiAddressToAServerWithoutSmtputf8Bounces567() {
    TransactionResult result = client.deliver(List.of(host(server.port())), envelope("a@src.test", "jörg@dst.test"));

    assertThat(result.replies()).singleElement().satisfies(r -> assertThat(r.reply().enhancedStatus()).isEqualTo("5.6.7"));
  }

  @Test
  void utf8HeadersOfAnSmtputf8MessageNeedTheExtension() {
    byte[] utf8 = "Subject: Grüße\r\n\r\nbody\r\n".getBytes(StandardCharsets.UTF_8);
    Envelope e = new Envelope("a@src.test", List.of(Recipient.of("b@dst.test")), null, null, true, utf8);

    assertThat(client.deliver(List.of(host(server.port())), e).replies().getFirst().reply().enhancedStatus())
        .isEqualTo("5.6.7");

    server.extensions = List.of("SMTPUTF8", "8BITMIME");
    assertThat(client.deliver(List.of(host(server.port())), e).replies().getFirst().reply().code()).isEqualTo(250);
    assertThat(server.transactions).singleElement()
        .satisfies(t -> assertThat(t.mailFrom()).isEqualTo("<a@src.test> BODY=8BITMIME SMTPUTF8"));
  }

  @Test
  void dsnParametersArePassedOnWhenTheServerOffersDsn() {
    server.extensions = List.of("DSN");
    Envelope e = new Envelope("a@src.test",
        List.of(new Recipient("b@dst.test", Set.of(Notify.FAILURE, Notify.DELAY), "rfc822;b+x@dst.test")),
        "env=1", Ret.HDRS, false, MESSAGE);

    client.deliver(List.of(host(server.port())), e);

    assertThat(server.allCommands).contains("MAIL FROM:<a@src.test> RET=HDRS ENVID=env+3D1")
        .contains("RCPT TO:<b@dst.test> NOTIFY=FAILURE,DELAY ORCPT=rfc822;b+2Bx@dst.test");
  }

  @Test
  void a421AfterRcptMovesOnAndTheSecondHostGetsTheMail() throws IOException {
    try (TestSmtpServer closing = new TestSmtpServer()) {
      closing.rcptReply = rcpt -> "421 4.7.0 too many connections";

      TransactionResult result = client.deliver(List.of(host(closing.port()), host(server.port())),
          envelope("a@src.test", "b@dst.test"));

      assertThat(result.replies()).singleElement().satisfies(r -> assertThat(r.reply().code()).isEqualTo(250));
      assertThat(server.transactions).hasSize(1);
    }
  }
}
