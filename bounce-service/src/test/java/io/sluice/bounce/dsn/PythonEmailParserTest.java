package io.sluice.bounce.dsn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Our DSN read by a parser written elsewhere: Python's standard {@code email} package (issue 5
 * asks for this). Skipped only when no python3 is installed.
 */
class PythonEmailParserTest {
  @TempDir Path dir;

  @Test
  void pythonsEmailPackageReadsOurFailureReport() throws Exception {
    assumeTrue(python3Available(), "python3 not installed");
    Path script = dir.resolve("parse_dsn.py");
    try (InputStream in = getClass().getResourceAsStream("/python/parse_dsn.py")) {
      Files.write(script, in.readAllBytes());
    }
    Path dsn = dir.resolve("dsn.eml");
    Files.write(dsn, new DsnComposer().compose(DsnComposerTest.twoFailures()));

    Process p = new ProcessBuilder("python3", script.toString(), dsn.toString()).redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(output).isZero();

    JsonNode json = new ObjectMapper().readTree(output);
    assertThat(json.get("defects")).as("parser defects").isEmpty();
    assertThat(json.get("content_type").asText()).isEqualTo("multipart/report");
    assertThat(json.get("report_type").asText()).isEqualTo("delivery-status");
    assertThat(json.get("auto_submitted").asText()).isEqualTo("auto-replied");
    assertThat(json.get("from").asText()).contains("MAILER-DAEMON@mta.example.net");
    assertThat(json.get("to").asText()).contains("alice@example.com");
    assertThat(json.get("parts")).extracting(JsonNode::asText)
        .containsExactly("text/plain", "message/delivery-status", "text/rfc822-headers");
    assertThat(json.at("/per_message/reporting-mta").asText()).isEqualTo("dns; mta.example.net");
    assertThat(json.at("/per_message/arrival-date").asText()).isEqualTo("Mon, 23 Nov 2026 10:15:00 +0000");
    assertThat(json.get("recipients")).hasSize(2);
    JsonNode bob = json.get("recipients").get(0);
    assertThat(bob.get("final-recipient").asText()).isEqualTo("rfc822; bob@nowhere.test");
    assertThat(bob.get("original-recipient").asText()).isEqualTo("rfc822;Bob@Nowhere.test");
    assertThat(bob.get("action").asText()).isEqualTo("failed");
    assertThat(bob.get("status").asText()).isEqualTo("5.1.1");
    assertThat(bob.get("remote-mta").asText()).isEqualTo("dns; mx.nowhere.test");
    assertThat(bob.get("diagnostic-code").asText()).isEqualTo("smtp; 550 5.1.1 <bob@nowhere.test>: Recipient address rejected");
    assertThat(json.get("recipients").get(1).get("status").asText()).isEqualTo("5.2.2");
    assertThat(json.get("returned_headers").asText()).contains("Subject: quarterly numbers");
  }

  private static boolean python3Available() {
    try {
      Process p = new ProcessBuilder("python3", "--version").redirectErrorStream(true).start();
      p.getInputStream().readAllBytes();
      return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
    } catch (Exception e) {
      return false;
    }
  }
}
