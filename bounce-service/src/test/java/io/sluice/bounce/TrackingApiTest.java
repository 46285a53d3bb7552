package io.sluice.bounce;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.hasKey;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.nullValue;

import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.sluice.bounce.store.BounceReport;
import io.sluice.bounce.store.RecipientOutcome;
import io.sluice.bounce.store.TrackedMessage;
import io.sluice.schema.QueueIds;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The REST API over rows written straight into the database: paging, filters, CRUD, OpenAPI, auth. */
@QuarkusTest
@TestProfile(UniqueGroupProfile.class)
class TrackingApiTest {
  private static final QueueIds IDS = new QueueIds();
  private static final String TOKEN = "test-token";

  @Test
  void everyApiPathWantsTheToken() {
    for (String path : new String[] {"/api/v1/messages/" + IDS.next(), "/api/v1/messages?messageId=x",
        "/api/v1/bounces", "/api/v1/suppressions", "/api/v1/suppressions/a@b.test"}) {
      given().get(path).then().statusCode(401);
      given().auth().oauth2("not-the-token").get(path).then().statusCode(401);
    }
    given().contentType(ContentType.JSON).body("{\"address\":\"x@y.test\"}").post("/api/v1/suppressions")
        .then().statusCode(401);
    given().delete("/api/v1/suppressions/x@y.test").then().statusCode(401);
  }

  @Test
  void bouncesAreListedByRecipientDomainAndTimeRangeWithPaging() {
    String domain = "d" + UUID.randomUUID().toString().substring(0, 8) + ".test";
    Instant base = Instant.parse("2026-01-10T00:00:00Z");
    String[] queueIds = new String[5];
    QuarkusTransaction.requiringNew().run(() -> {
      for (int i = 0; i < 5; i++) {
        queueIds[i] = IDS.next();
        outcome(queueIds[i], "user" + i + "@" + domain, i == 4 ? "DELIVERED" : "BOUNCED", base.plusSeconds(3600L * i));
      }
      BounceReport r = new BounceReport();
      r.queueId = queueIds[1];
      r.attempt = 1;
      r.kind = BounceReport.Kind.FAILED;
      r.dsnQueueId = IDS.next();
      r.recipients = 1;
      r.createdAt = base;
      r.persist();
    });

    given().auth().oauth2(TOKEN).queryParam("domain", domain.toUpperCase()).get("/api/v1/bounces").then()
        .statusCode(200).body("total", equalTo(4)).body("items", hasSize(4))
        .body("items.recipient", contains("user3@" + domain, "user2@" + domain, "user1@" + domain, "user0@" + domain));
    given().auth().oauth2(TOKEN).queryParam("domain", domain).queryParam("size", 3).queryParam("page", 1)
        .get("/api/v1/bounces").then()
        .statusCode(200).body("total", equalTo(4)).body("page", equalTo(1)).body("items", hasSize(1))
        .body("items[0].recipient", equalTo("user0@" + domain));
    given().auth().oauth2(TOKEN).queryParam("domain", domain)
        .queryParam("from", base.plusSeconds(3600).toString()).queryParam("to", base.plusSeconds(3 * 3600).toString())
        .get("/api/v1/bounces").then()
        .statusCode(200).body("items.recipient", contains("user2@" + domain, "user1@" + domain));
    given().auth().oauth2(TOKEN).queryParam("recipient", "USER1@" + domain).get("/api/v1/bounces").then()
        .statusCode(200).body("total", equalTo(1)).body("items[0].queueId", equalTo(queueIds[1]))
        .body("items[0].dsnQueueId", hasLength26()).body("items[0].reply.code", equalTo(550));
    given().auth().oauth2(TOKEN).queryParam("size", 100000).get("/api/v1/bounces").then().statusCode(400);
    given().auth().oauth2(TOKEN).queryParam("from", "yesterday").get("/api/v1/bounces").then().statusCode(400);
  }

  @Test
  void aMessageIsFoundByItsMessageIdWithOrWithoutBrackets() {
    String queueId = IDS.next();
    String messageId = "<" + UUID.randomUUID() + "@example.com>";
    QuarkusTransaction.requiringNew().run(() -> {
      TrackedMessage m = new TrackedMessage();
      m.queueId = queueId;
      m.sender = "a@example.com";
      m.messageId = messageId;
      m.sizeBytes = 10;
      m.receivedAt = Instant.now();
      m.clientAddress = "192.0.2.1";
      m.recordedAt = Instant.now();
      m.persist();
      outcome(queueId, "b@example.net", "DELIVERED", Instant.now());
    });
    given().auth().oauth2(TOKEN).queryParam("messageId", messageId).get("/api/v1/messages").then()
        .statusCode(200).body("total", equalTo(1)).body("items[0].queueId", equalTo(queueId))
        .body("items[0].recipients[0].status", equalTo("DELIVERED"));
    given().auth().oauth2(TOKEN).queryParam("messageId", messageId.substring(1, messageId.length() - 1))
        .get("/api/v1/messages").then().statusCode(200).body("total", equalTo(1));
    given().auth().oauth2(TOKEN).get("/api/v1/messages").then().statusCode(400);
  }

  @Test
  void suppressionEntriesCanBeCreatedReadChangedListedAndDeleted() {
    String address = "Someone-" + UUID.randomUUID() + "@Example.com";
    String lower = address.toLowerCase();
    given().auth().oauth2(TOKEN).contentType(ContentType.JSON)
        .body("{\"address\":\"" + address + "\",\"reason\":\"complaint\"}")
        .post("/api/v1/suppressions").then()
        .statusCode(201).body("address", equalTo(lower)).body("source", equalTo("API"))
        .body("active", equalTo(true)).body("expiresAt", nullValue());
    given().auth().oauth2(TOKEN).contentType(ContentType.JSON).body("{\"address\":\"" + address + "\"}")
        .post("/api/v1/suppressions").then().statusCode(409);
    given().auth().oauth2(TOKEN).get("/api/v1/suppressions/" + address).then()
        .statusCode(200).body("reason", equalTo("complaint"));

    given().auth().oauth2(TOKEN).contentType(ContentType.JSON)
        .body("{\"reason\":\"expired already\",\"expiresAt\":\"2020-01-01T00:00:00Z\"}")
        .put("/api/v1/suppressions/" + lower).then()
        .statusCode(200).body("reason", equalTo("expired already")).body("active", equalTo(false));
    given().auth().oauth2(TOKEN).queryParam("contains", lower).get("/api/v1/suppressions").then()
        .statusCode(200).body("total", equalTo(1));
    given().auth().oauth2(TOKEN).queryParam("contains", lower).queryParam("active", true).get("/api/v1/suppressions")
        .then().statusCode(200).body("total", equalTo(0));

    given().auth().oauth2(TOKEN).delete("/api/v1/suppressions/" + address).then().statusCode(204);
    given().auth().oauth2(TOKEN).get("/api/v1/suppressions/" + address).then().statusCode(404);
    given().auth().oauth2(TOKEN).delete("/api/v1/suppressions/" + address).then().statusCode(404);
    given().auth().oauth2(TOKEN).contentType(ContentType.JSON).body("{\"reason\":\"x\"}")
        .put("/api/v1/suppressions/new-" + lower).then().statusCode(201);
    given().auth().oauth2(TOKEN).contentType(ContentType.JSON).body("{\"address\":\"no-at-sign\"}")
        .post("/api/v1/suppressions").then().statusCode(400);
  }

  @Test
  void theOpenApiDocumentDescribesEveryEndpointAndTheBearerScheme() {
    given().queryParam("format", "json").get("/q/openapi").then()
        .statusCode(200)
        .body("paths", hasKey("/api/v1/messages/{queueId}"))
        .body("paths", hasKey("/api/v1/messages"))
        .body("paths", hasKey("/api/v1/bounces"))
        .body("paths", hasKey("/api/v1/suppressions/{address}"))
        .body("paths.'/api/v1/suppressions'.keySet()", hasItems("get", "post"))
        .body("components.securitySchemes.bearer.scheme", equalTo("bearer"))
        .body("paths.'/api/v1/messages/{queueId}'.get.responses.'200'.content.'application/json'.schema.'$ref'",
            equalTo("#/components/schemas/MessageView"))
        .body("paths.'/api/v1/bounces'.get.parameters.name", hasItems("recipient", "domain", "from", "to", "page", "size"));
  }

  private static void outcome(String queueId, String recipient, String status, Instant at) {
    RecipientOutcome o = new RecipientOutcome();
    o.queueId = queueId;
    o.recipient = recipient;
    o.domain = recipient.substring(recipient.indexOf('@') + 1);
    o.status = status;
    o.attempt = 1;
    o.replyCode = status.equals("DELIVERED") ? 250 : 550;
    o.replyEnhanced = status.equals("DELIVERED") ? "2.0.0" : "5.1.1";
    o.replyText = "x";
    o.remoteMta = "mx.test";
    o.firstEventAt = at;
    o.lastEventAt = at;
    o.persist();
  }

  private static org.hamcrest.Matcher<Object> hasLength26() {
    return org.hamcrest.Matchers.hasToString(org.hamcrest.Matchers.matchesPattern("[0-9A-Z]{26}"));
  }
}
