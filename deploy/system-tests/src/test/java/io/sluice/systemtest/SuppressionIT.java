package io.sluice.systemtest;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.schema.DeliveryEvent;
import io.sluice.schema.EventType;
import io.sluice.schema.SubmittedMessage;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Suppression end to end. A hard bounce (550 5.1.1 from the unknown-users server) of a RET=FULL
 * message gives a DSN returning the whole message, read back with Python's email package, and
 * suppresses the address: the next message to it is bounced by delivery with 5.7.1 and its server
 * is never asked. Deleting the entry through the API lets mail reach the server again; an entry
 * added through the API blocks an address that never bounced.
 */
@ExtendWith(SluiceStack.class)
class SuppressionIT {
  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final Path PEERS = Path.of(System.getProperty("sluice.root", "../..")).toAbsolutePath()
      .normalize().resolve("deploy/system-tests/peers");
  private final HttpClient http = HttpClient.newHttpClient();

  @Test
  void aHardBounceSuppressesTheAddressUntilTheApiRemovesIt() throws Exception {
    String marker = UUID.randomUUID().toString();
    String sender = "sender-" + marker + "@ok.test";
    String gone = "gone-" + marker + "@unknown.test";

    String first = send(sender, gone, "first " + marker, "RET=FULL");
    DeliveryEvent bounced = awaitBounce(first);
    assertThat(bounced.reply().enhancedStatus()).isEqualTo("5.1.1");
    assertThat(rcptsSeen(gone)).isEqualTo(1);
    Map<String, String> dsn = parse(awaitDsnTo(sender));
    assertThat(dsn).containsEntry("content_type", "multipart/report").containsEntry("defects", "0")
        .containsEntry("parts", "text/plain,message/delivery-status,message/rfc822")
        .containsEntry("returned_subject", "first " + marker);
    assertThat(dsn.get("returned_body")).contains("Body of first " + marker);

    awaitApi("GET", gone, 200); // listed, and published before bounce-service committed it
    Thread.sleep(2000); // delivery's copy follows the topic within a poll
    DeliveryEvent suppressed = awaitBounce(send(sender, gone, "second " + marker));
    assertThat(suppressed.reply().code()).isEqualTo(550);
    assertThat(suppressed.reply().enhancedStatus()).isEqualTo("5.7.1");
    assertThat(suppressed.reply().text()).contains("suppression list");
    assertThat(suppressed.remoteMta()).isNull();
    assertThat(rcptsSeen(gone)).as("the server was not asked again").isEqualTo(1);

    awaitApi("DELETE", gone, 204);
    Thread.sleep(2000);
    DeliveryEvent again = awaitBounce(send(sender, gone, "third " + marker));
    assertThat(again.reply().enhancedStatus()).isEqualTo("5.1.1");
    assertThat(rcptsSeen(gone)).as("after the delete the server is asked again").isEqualTo(2);
  }

  @Test
  void anEntryAddedThroughTheApiBlocksAnAddressThatNeverBounced() throws Exception {
    String marker = UUID.randomUUID().toString();
    String listed = "listed-" + marker + "@ok.test";
    HttpResponse<String> created = http.send(api("/api/v1/suppressions")
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{\"address\":\"" + listed + "\",\"reason\":\"complaint\"}"))
        .build(), HttpResponse.BodyHandlers.ofString());
    assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    Thread.sleep(2000);

    DeliveryEvent suppressed = awaitBounce(send("sender-" + marker + "@ok.test", listed, "listed " + marker));

    assertThat(suppressed.reply().enhancedStatus()).isEqualTo("5.7.1");
    assertThat(suppressed.reply().text()).contains("API");
    // The sender's DSN quotes the headers and reaches the sink; the listed address itself never does.
    assertThat(SluiceStack.get().acceptedDumps.toFile().list())
        .noneMatch(f -> rcptOf(SluiceStack.get().acceptedDumps.resolve(f)).contains(listed));
  }

  private static String send(String from, String to, String subject, String... mailParameters) throws Exception {
    String message = "From: <" + from + ">\r\nTo: <" + to + ">\r\nSubject: " + subject + "\r\n\r\nBody of " + subject
        + "\r\n";
    return PeerClientsIT.submit(List.of("python3", PEERS.resolve("send_smtplib.py").toString()), from, to, message,
        mailParameters);
  }

  private static DeliveryEvent awaitBounce(String queueId) {
    try (EventWatcher events = EventWatcher.events()) {
      return events.awaitEvent(queueId, EventType.BOUNCED, WAIT);
    }
  }

  private static byte[] awaitDsnTo(String sender) {
    try (EventWatcher queue = EventWatcher.submitted()) {
      SubmittedMessage dsn = queue.awaitMessage(
          m -> m.hasNullSender() && m.recipients().getFirst().address().equals(sender), WAIT, "DSN to " + sender);
      return dsn.content();
    }
  }

  /** The DSN as Python's standard email package reads it. */
  private static Map<String, String> parse(byte[] dsn) throws Exception {
    Path file = Files.createTempFile("sluice-dsn", ".eml");
    Files.write(file, dsn);
    Process p = new ProcessBuilder("python3", PEERS.resolve("parse_returned.py").toString(), file.toString())
        .redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor()).as(output).isZero();
    Files.delete(file);
    Map<String, String> fields = new java.util.HashMap<>();
    for (String line : output.split("\n")) {
      int tab = line.indexOf('\t');
      assertThat(tab).as("parser output: " + output).isPositive();
      fields.put(line.substring(0, tab), line.substring(tab + 1));
    }
    return fields;
  }

  private static long rcptsSeen(String address) throws Exception {
    Path log = SluiceStack.get().unknownUsersRcpts;
    return Files.exists(log) ? Files.readAllLines(log).stream().filter(address::equalsIgnoreCase).count() : 0;
  }

  private static String rcptOf(Path dump) {
    try {
      return String.valueOf(SinkDump.parse(Files.readString(dump, StandardCharsets.ISO_8859_1)).rcptArgs());
    } catch (java.io.IOException e) {
      return "";
    }
  }

  private HttpRequest.Builder api(String path) {
    return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + SluiceStack.get().bounceHttpPort + path))
        .header("Authorization", "Bearer " + SluiceStack.API_TOKEN);
  }

  /** Repeats the call until it answers {@code status}: bounce-service persists asynchronously. */
  private void awaitApi(String method, String address, int status) throws Exception {
    Instant deadline = Instant.now().plus(WAIT);
    String last = "";
    while (Instant.now().isBefore(deadline)) {
      HttpResponse<String> r = http.send(api("/api/v1/suppressions/" + address)
          .method(method, HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() == status) {
        return;
      }
      last = r.statusCode() + " " + r.body();
      Thread.sleep(500);
    }
    throw new AssertionError(method + " " + address + " never answered " + status + "; last: " + last);
  }
}
