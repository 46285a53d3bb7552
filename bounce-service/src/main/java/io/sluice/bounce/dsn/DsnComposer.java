package io.sluice.bounce.dsn;

import io.sluice.schema.RemoteReply;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.internet.AddressException;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.InternetHeaders;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeUtility;
import jakarta.mail.util.StreamProvider;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Collections;
import java.util.Locale;
import java.util.Properties;
import org.eclipse.angus.mail.dsn.DeliveryStatus;
import org.eclipse.angus.mail.dsn.MessageHeaders;
import org.eclipse.angus.mail.dsn.MultipartReport;

/**
 * Writes a delivery status notification: an RFC 6522 {@code multipart/report;
 * report-type=delivery-status} with the three parts of RFC 3464 §2, built with Angus Mail's MIME
 * types rather than by gluing strings:
 *
 * <ol>
 *   <li>a human-readable explanation (text/plain);
 *   <li>{@code message/delivery-status}: per-message fields, then one block per recipient;
 *   <li>the original header section ({@code text/rfc822-headers}), or the whole original message
 *       ({@code message/rfc822}) when RET=FULL and the content is at hand.
 * </ol>
 *
 * The result has CRLF line ends throughout, ready to be published as a submission. Thread-safe.
 */
public final class DsnComposer {
  /** RFC 5322 §3.3 date-time, always in UTC so that reports do not depend on the host's zone. */
  static final DateTimeFormatter RFC5322_DATE =
      DateTimeFormatter.ofPattern("EEE, d MMM yyyy HH:mm:ss Z", Locale.ENGLISH).withZone(ZoneOffset.UTC);

  /** RFC 5322 §2.1.1: a line must not exceed 998 octets; we fold long fields well before that. */
  private static final int FOLD_AT = 76;

  private static final byte[] CRLF = {'\r', '\n'};

  static {
    // Jakarta Mail looks up its StreamProvider for every message, body part, multipart and header
    // set it creates, by a ServiceLoader scan that opens the class path's jars each time, unless
    // this system property names the provider. Angus Mail is the implementation this service ships.
    if (System.getProperty(StreamProvider.class.getName()) == null) {
      System.setProperty(StreamProvider.class.getName(), "org.eclipse.angus.mail.util.MailStreamProvider");
    }
  }

  private final Session session = Session.getInstance(new Properties());

  /** The DSN as bytes with CRLF line ends. */
  public byte[] compose(DsnRequest request) {
    try {
      MimeMessage dsn = new FixedIdMessage(session, request.dsnMessageId());
      dsn.setFrom(new InternetAddress("MAILER-DAEMON@" + request.reportingMta(), "Mail Delivery System"));
      setTo(dsn, request.originalSender());
      dsn.setSubject(subject(request.action()), "UTF-8");
      dsn.setHeader("Date", RFC5322_DATE.format(request.date()));
      // RFC 3834 §5: an automatic response; well-behaved software does not answer it.
      dsn.setHeader("Auto-Submitted", "auto-replied");
      if (request.originalMessageId() != null && !request.originalMessageId().isBlank()) {
        String ref = request.originalMessageId().strip();
        dsn.setHeader("In-Reply-To", ref);
        dsn.setHeader("References", ref);
      }

      // The returned original must go out exactly as it came in: both wrappers refuse the header
      // updates (Message-ID, MIME-Version, Date) that saveChanges() would otherwise apply to them.
      MultipartReport report = new MultipartReport(humanText(request), deliveryStatus(request));
      report.setReturnedMessage(request.originalContent() != null
          ? new FrozenMessage(session, request.originalContent())
          : new FrozenHeaders(new InternetHeaders(new ByteArrayInputStream(request.originalHeaders()))));
      dsn.setContent(report);
      dsn.saveChanges();

      ByteArrayOutputStream out = new ByteArrayOutputStream(4096 + request.originalHeaders().length);
      dsn.writeTo(out);
      return LineEnds.toCrlf(out.toByteArray());
    } catch (MessagingException | IOException e) {
      throw new IllegalStateException("cannot compose DSN " + request.dsnMessageId() + ": " + e.getMessage(), e);
    }
  }

  private static void setTo(MimeMessage dsn, String sender) throws MessagingException {
    try {
      InternetAddress to = new InternetAddress(sender, true);
      dsn.setRecipient(MimeMessage.RecipientType.TO, to);
    } catch (AddressException notStrictlyValid) {
      // The envelope accepted it, so the header carries it verbatim in angle brackets.
      dsn.setHeader("To", "<" + sender + ">");
    }
  }

  private static String subject(DsnAction action) {
    return switch (action) {
      case FAILED -> "Undelivered Mail Returned to Sender";
      case DELAYED -> "Delayed Mail (still being retried)";
      case DELIVERED -> "Successful Mail Delivery Report";
    };
  }

  /** RFC 3464 §2.2 and §2.3: the machine-readable part. */
  private static DeliveryStatus deliveryStatus(DsnRequest request) throws MessagingException {
    DeliveryStatus status = new ExactDeliveryStatus();
    InternetHeaders perMessage = new InternetHeaders();
    // §2.2.2: Reporting-MTA is required; "dns" is the MTA-name-type for a host name.
    perMessage.addHeader("Reporting-MTA", "dns; " + request.reportingMta());
    if (request.envid() != null && !request.envid().isEmpty()) {
      // §2.2.1: echoed exactly as given in ENVID (already decoded from xtext by ingress).
      perMessage.addHeader("Original-Envelope-Id", clean(request.envid()));
    }
    perMessage.addHeader("Arrival-Date", RFC5322_DATE.format(request.arrivalDate()));
    status.setMessageDSN(perMessage);

    for (RecipientReport r : request.recipients()) {
      InternetHeaders block = new InternetHeaders();
      if (r.originalRecipient() != null && !r.originalRecipient().isBlank()) {
        block.addHeader("Original-Recipient", fold("Original-Recipient", withAddressType(r.originalRecipient())));
      }
      block.addHeader("Final-Recipient", fold("Final-Recipient", "rfc822; " + r.finalRecipient()));
      block.addHeader("Action", request.action().field());
      block.addHeader("Status", r.status());
      if (r.remoteMta() != null && !r.remoteMta().isBlank()) {
        block.addHeader("Remote-MTA", "dns; " + clean(r.remoteMta()));
      }
      if (r.diagnostic() != null) {
        // §2.3.6: the reply exactly as the remote server gave it, typed "smtp".
        block.addHeader("Diagnostic-Code", fold("Diagnostic-Code", "smtp; " + clean(r.diagnostic().toString())));
      }
      if (r.lastAttemptDate() != null) {
        block.addHeader("Last-Attempt-Date", RFC5322_DATE.format(r.lastAttemptDate()));
      }
      if (r.willRetryUntil() != null) {
        block.addHeader("Will-Retry-Until", RFC5322_DATE.format(r.willRetryUntil()));
      }
      status.addRecipientDSN(block);
    }
    return status;
  }

  /** ORCPT is {@code addr-type;address}; a bare address is taken as rfc822 (RFC 3461 §4.2). */
  private static String withAddressType(String orcpt) {
    String value = clean(orcpt);
    int semi = value.indexOf(';');
    return semi > 0 && !value.substring(0, semi).contains("@") ? value : "rfc822; " + value;
  }

  private static String humanText(DsnRequest request) {
    StringBuilder text = new StringBuilder();
    text.append("This is the mail system at host ").append(request.reportingMta()).append(".\r\n\r\n");
    switch (request.action()) {
      case FAILED -> text.append("I'm sorry to have to inform you that your message could not\r\n")
          .append("be delivered to one or more recipients. The details are below.\r\n");
      case DELAYED -> text.append("Your message could not be delivered yet to one or more recipients.\r\n")
          .append("It is still queued and delivery will be retried; you do not need to resend it.\r\n");
      case DELIVERED -> text.append("Your message was successfully delivered to the recipients below,\r\n")
          .append("as you asked with NOTIFY=SUCCESS.\r\n");
    }
    text.append("\r\n");
    if (request.originalMessageId() != null) {
      text.append("Original message: ").append(clean(request.originalMessageId())).append("\r\n");
    }
    text.append("Arrived: ").append(RFC5322_DATE.format(request.arrivalDate())).append("\r\n\r\n");
    for (RecipientReport r : request.recipients()) {
      text.append("<").append(r.finalRecipient()).append(">: ");
      RemoteReply reply = r.diagnostic();
      if (reply != null) {
        text.append(r.remoteMta() == null ? "" : "host " + r.remoteMta() + " said: ").append(clean(reply.toString()));
      } else {
        text.append("status ").append(r.status());
      }
      text.append("\r\n");
    }
    return text.toString();
  }

  /** Keeps a field value on one logical line: CR, LF and other controls become spaces. */
  static String clean(String value) {
    StringBuilder out = new StringBuilder(value.length());
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      out.append(c < 0x20 || c == 0x7f ? ' ' : c);
    }
    return out.toString().strip();
  }

  /** Folds a long field at white space (RFC 5322 §2.2.3) so no line grows past the limit. */
  private static String fold(String name, String value) {
    return value.length() + name.length() + 2 <= FOLD_AT ? value : MimeUtility.fold(name.length() + 2, value);
  }

  /**
   * RFC 3464 §2.1: {@code per-message-fields 1*( CRLF per-recipient-fields )}. Angus writes a blank
   * line after the last block too, which strict parsers (Python's email package) read as an extra,
   * empty recipient; this writes exactly the grammar.
   */
  private static final class ExactDeliveryStatus extends DeliveryStatus {
    ExactDeliveryStatus() throws MessagingException {
      super();
    }

    @Override
    public void writeTo(OutputStream os) throws IOException {
      writeFields(os, getMessageDSN());
      for (int i = 0; i < getRecipientDSNCount(); i++) {
        os.write(CRLF);
        writeFields(os, getRecipientDSN(i));
      }
    }

    private static void writeFields(OutputStream os, InternetHeaders fields) throws IOException {
      for (String line : Collections.list(fields.getAllHeaderLines())) {
        os.write(line.getBytes(StandardCharsets.UTF_8));
        os.write(CRLF);
      }
    }
  }

  /** The original message for RET=FULL (message/rfc822), written back unchanged. */
  private static final class FrozenMessage extends MimeMessage {
    FrozenMessage(Session session, byte[] content) throws MessagingException {
      super(session, new ByteArrayInputStream(content));
    }

    @Override
    protected void updateHeaders() {
      // unchanged: RFC 3462 §3 returns the message as received
    }
  }

  /** The original header section (text/rfc822-headers), written back unchanged. */
  private static final class FrozenHeaders extends MessageHeaders {
    FrozenHeaders(InternetHeaders headers) throws MessagingException {
      super(headers);
    }

    @Override
    protected void updateHeaders() {
      // unchanged: the headers as received
    }
  }

  /** Sets the DSN's own Message-ID instead of the generated one (saveChanges would replace it). */
  private static final class FixedIdMessage extends MimeMessage {
    private final String id;

    FixedIdMessage(Session session, String id) {
      super(session);
      this.id = id;
    }

    @Override
    protected void updateMessageID() throws MessagingException {
      setHeader("Message-ID", "<" + id + ">");
    }
  }
}
