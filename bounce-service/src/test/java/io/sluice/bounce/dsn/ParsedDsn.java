package io.sluice.bounce.dsn;

import jakarta.mail.BodyPart;
import jakarta.mail.Header;
import jakarta.mail.Session;
import jakarta.mail.internet.InternetHeaders;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import jakarta.mail.util.ByteArrayDataSource;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import org.eclipse.angus.mail.dsn.DeliveryStatus;

/**
 * A DSN read back with jakarta.mail, independent of how it was written: the top-level type, the
 * type of each part, and the delivery-status fields with lower-cased names and unfolded values.
 */
record ParsedDsn(String contentType, List<String> partTypes, Map<String, String> perMessage,
    List<Map<String, String>> recipients, String thirdPart) {

  static ParsedDsn parse(byte[] message) throws Exception {
    MimeMessage mime = new MimeMessage(Session.getInstance(new Properties()), new ByteArrayInputStream(message));
    byte[] body;
    try (InputStream in = mime.getRawInputStream()) {
      body = in.readAllBytes();
    }
    MimeMultipart parts = new MimeMultipart(new ByteArrayDataSource(body, mime.getContentType()));
    List<String> types = new ArrayList<>();
    Map<String, String> perMessage = Map.of();
    List<Map<String, String>> recipients = new ArrayList<>();
    String third = null;
    for (int i = 0; i < parts.getCount(); i++) {
      BodyPart part = parts.getBodyPart(i);
      String type = part.getContentType().toLowerCase(Locale.ROOT).split(";")[0].strip();
      types.add(type);
      if (type.equals("message/delivery-status")) {
        DeliveryStatus status = new DeliveryStatus(part.getInputStream());
        perMessage = fields(status.getMessageDSN());
        for (int r = 0; r < status.getRecipientDSNCount(); r++) {
          recipients.add(fields(status.getRecipientDSN(r)));
        }
      } else if (i == 2) {
        try (InputStream in = part.getInputStream()) {
          third = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
      }
    }
    return new ParsedDsn(mime.getContentType(), types, perMessage, recipients, third);
  }

  private static Map<String, String> fields(InternetHeaders headers) {
    Map<String, String> out = new LinkedHashMap<>();
    for (Header h : Collections.list(headers.getAllHeaders())) {
      out.put(h.getName().toLowerCase(Locale.ROOT), h.getValue().replaceAll("\r?\n[ \t]+", " ").strip());
    }
    return out;
  }
}
