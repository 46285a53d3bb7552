package io.sluice.bounce.dsn;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.schema.RemoteReply;
import jakarta.mail.internet.MailDateFormat;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The composer against the examples of RFC 3464 Appendix D (src/test/resources/rfc3464). First the
 * fixtures are read with the same parser the other tests use, so the checker is known to read the
 * RFC's own reports; then the composer is given the facts of an example and every field of the
 * example must come out with the same value.
 */
class Rfc3464ExamplesTest {
  private final DsnComposer composer = new DsnComposer();

  @Test
  void theParserReadsEveryAppendixExample() throws Exception {
    ParsedDsn d1 = ParsedDsn.parse(fixture("d1-simple.eml"));
    assertThat(d1.contentType()).contains("report-type=delivery-status");
    assertThat(d1.partTypes()).containsExactly("text/plain", "message/delivery-status", "message/rfc822");
    assertThat(d1.perMessage()).containsEntry("reporting-mta", "dns; cs.utk.edu");
    assertThat(d1.recipients()).hasSize(1);

    ParsedDsn d2 = ParsedDsn.parse(fixture("d2-multi.eml"));
    assertThat(d2.recipients()).extracting(r -> r.get("action")).containsExactly("failed", "delayed", "failed");
    assertThat(d2.recipients().getFirst().get("diagnostic-code"))
        .isEqualTo("smtp;  550 'arathib@vnet.IBM.COM' is not a registered gateway user");

    ParsedDsn d3 = ParsedDsn.parse(fixture("d3-gateway.eml"));
    assertThat(d3.perMessage()).containsEntry("reporting-mta", "mailbus; SYS30");
    assertThat(d3.recipients().getFirst()).containsEntry("final-recipient", "unknown; nair_s");

    ParsedDsn d4 = ParsedDsn.parse(fixture("d4-delayed.eml"));
    assertThat(d4.recipients().getFirst()).containsEntry("action", "delayed");
  }

  /** D.1: one recipient given up after five days of timeouts; the full message returned (RET=FULL). */
  @Test
  void simpleDsnOfAppendixD1() throws Exception {
    ParsedDsn rfc = ParsedDsn.parse(fixture("d1-simple.eml"));
    byte[] original = "[original message goes here]\r\n".getBytes(StandardCharsets.US_ASCII);
    DsnRequest request = new DsnRequest(DsnAction.FAILED, "cs.utk.edu", "owner-ups-mib@CS.UTK.EDU", null,
        date("Sat, 2 Jul 1994 17:10:28 -0400"), null, new byte[0], original,
        List.of(new RecipientReport("louisl@larry.slip.umd.edu", "rfc822;louisl@larry.slip.umd.edu", "4.0.0", null,
            new RemoteReply(426, null, "connection timed out"), date("Thu, 7 Jul 1994 17:15:49 -0400"), null)),
        "199407072116.RAA14128@CS.UTK.EDU", date("Thu, 7 Jul 1994 17:16:05 -0400"));

    ParsedDsn ours = ParsedDsn.parse(composer.compose(request));

    assertThat(ours.partTypes()).isEqualTo(rfc.partTypes());
    assertSameFields(ours.perMessage(), rfc.perMessage());
    assertThat(ours.recipients()).hasSameSizeAs(rfc.recipients());
    assertSameFields(ours.recipients().getFirst(), rfc.recipients().getFirst());
    assertThat(ours.thirdPart()).contains("[original message goes here]");
  }

  /**
   * D.2: three recipients, two failed and one delayed, in one report. Sluice reports failures and
   * delays separately (one report per failed attempt, contract 4; delay warnings on their own), so
   * the two failed blocks are composed together and the delayed block on its own.
   */
  @Test
  void multiRecipientDsnOfAppendixD2() throws Exception {
    ParsedDsn rfc = ParsedDsn.parse(fixture("d2-multi.eml"));
    Instant when = date("Fri, 8 Jul 1994 09:21:47 -0400");
    DsnRequest failed = new DsnRequest(DsnAction.FAILED, "cs.utk.edu", "owner-info-mime@cs.utk.edu", null, when,
        null, new byte[0], "[original message goes here]\r\n".getBytes(StandardCharsets.US_ASCII),
        List.of(
            new RecipientReport("arathib@vnet.ibm.com", "rfc822;arathib@vnet.ibm.com", "5.0.0", "vnet.ibm.com",
                new RemoteReply(550, null, "'arathib@vnet.IBM.COM' is not a registered gateway user"), null, null),
            new RecipientReport("wsnell@sdcc13.ucsd.edu", "rfc822;wsnell@sdcc13.ucsd.edu", "5.0.0", "sdcc13.ucsd.edu",
                new RemoteReply(550, null, "user unknown"), null, null)),
        "d2-failed@cs.utk.edu", when);
    DsnRequest delayed = new DsnRequest(DsnAction.DELAYED, "cs.utk.edu", "owner-info-mime@cs.utk.edu", null, when,
        null, new byte[0], null,
        List.of(new RecipientReport("johnh@hpnjld.njd.hp.com", "rfc822;johnh@hpnjld.njd.hp.com", "4.0.0", null, null,
            null, null)),
        "d2-delayed@cs.utk.edu", when);

    ParsedDsn ours = ParsedDsn.parse(composer.compose(failed));
    assertThat(ours.partTypes()).isEqualTo(rfc.partTypes());
    assertSameFields(ours.perMessage(), rfc.perMessage());
    assertSameFields(ours.recipients().get(0), rfc.recipients().get(0));
    assertSameFields(ours.recipients().get(1), rfc.recipients().get(2));

    ParsedDsn oursDelayed = ParsedDsn.parse(composer.compose(delayed));
    assertThat(oursDelayed.partTypes()).containsExactly("text/plain", "message/delivery-status", "text/rfc822-headers");
    assertSameFields(oursDelayed.recipients().getFirst(), rfc.recipients().get(1));
  }

  /** D.4: a delay warning. */
  @Test
  void delayedDsnOfAppendixD4() throws Exception {
    ParsedDsn rfc = ParsedDsn.parse(fixture("d4-delayed.eml"));
    Instant when = Instant.parse("1994-07-08T12:00:00Z");
    DsnRequest request = new DsnRequest(DsnAction.DELAYED, "sun2.nsfnet-relay.ac.uk", "someone@example.org", null,
        when, null, new byte[0], null,
        List.of(new RecipientReport("thomas@de-montfort.ac.uk", null, "4.0.0", null, null, null, null)),
        "d4@sun2.nsfnet-relay.ac.uk", when);
    ParsedDsn ours = ParsedDsn.parse(composer.compose(request));
    assertSameFields(ours.perMessage(), rfc.perMessage());
    assertSameFields(ours.recipients().getFirst(), rfc.recipients().getFirst());
  }

  /**
   * Every field of the RFC's block is in ours with the same meaning: address types compared without
   * the optional space after ';', a Status by its code (the RFC adds comments), dates as instants,
   * and the Diagnostic-Code text with runs of spaces collapsed. Ours may carry more fields (we
   * always give Arrival-Date, for example).
   */
  private static void assertSameFields(Map<String, String> ours, Map<String, String> rfc) {
    for (Map.Entry<String, String> field : rfc.entrySet()) {
      String name = field.getKey();
      assertThat(ours).as("field %s", name).containsKey(name);
      String expected = normalise(name, field.getValue());
      String actual = normalise(name, ours.get(name));
      assertThat(actual).as("field %s", name).isEqualTo(expected);
    }
  }

  private static String normalise(String name, String value) {
    return switch (name) {
      case "status" -> value.split("\\s+")[0];
      case "last-attempt-date", "arrival-date", "will-retry-until" -> date(value).toString();
      default -> value.replaceAll(";\\s*", "; ").replaceAll("\\s+", " ").strip();
    };
  }

  private static Instant date(String rfc5322) {
    try {
      return new MailDateFormat().parse(rfc5322).toInstant();
    } catch (ParseException e) {
      throw new IllegalArgumentException(rfc5322, e);
    }
  }

  static byte[] fixture(String name) throws Exception {
    try (InputStream in = Rfc3464ExamplesTest.class.getResourceAsStream("/rfc3464/" + name)) {
      String text = new String(in.readAllBytes(), StandardCharsets.US_ASCII);
      return text.replace("\r\n", "\n").replace("\n", "\r\n").getBytes(StandardCharsets.US_ASCII);
    }
  }
}
