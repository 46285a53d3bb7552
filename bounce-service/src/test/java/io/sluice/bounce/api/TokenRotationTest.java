package io.sluice.bounce.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.sluice.bounce.UniqueGroupProfile;
import org.junit.jupiter.api.Test;

/**
 * The API over HTTP during a token rotation: %test sets sluice.bounce.api.token=test-token and
 * sluice.bounce.api.next-token=test-next-token.
 */
@QuarkusTest
@TestProfile(UniqueGroupProfile.class)
class TokenRotationTest {
  private static final String PATH = "/api/v1/bounces";

  @Test
  void theOldTokenIsAccepted() {
    given().auth().oauth2("test-token").queryParam("size", 1).get(PATH).then().statusCode(200);
  }

  @Test
  void theNewTokenIsAccepted() {
    given().auth().oauth2("test-next-token").queryParam("size", 1).get(PATH).then().statusCode(200);
  }

  @Test
  void aWrongTokenIsRefused() {
    given().auth().oauth2("test-token-old").get(PATH).then().statusCode(401)
        .header("WWW-Authenticate", "Bearer realm=\"sluice-bounce\"").body("detail", equalTo("wrong bearer token"));
  }

  @Test
  void aMissingTokenIsRefused() {
    given().get(PATH).then().statusCode(401).body("detail", equalTo("missing bearer token"));
    given().header("Authorization", "Basic dGVzdC10b2tlbjp4").get(PATH).then().statusCode(401)
        .body("detail", equalTo("missing bearer token"));
    given().header("Authorization", "Bearer ").get(PATH).then().statusCode(401);
  }
}
