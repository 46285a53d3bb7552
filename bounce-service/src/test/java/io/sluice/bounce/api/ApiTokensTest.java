package io.sluice.bounce.api;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class ApiTokensTest {
  private final ApiTokens rotating = ApiTokens.of(Optional.of("old-token"), Optional.of("new-token"));

  @Test
  void acceptsTheCurrentAndTheNextToken() {
    assertTrue(rotating.accepts("old-token"));
    assertTrue(rotating.accepts("new-token"));
  }

  @Test
  void refusesAnythingElse() {
    assertFalse(rotating.accepts("wrong-token"));
    assertFalse(rotating.accepts("old-toke"), "a prefix is not the token");
    assertFalse(rotating.accepts("new-token2"), "a longer value is not the token");
    assertFalse(rotating.accepts("OLD-TOKEN"), "tokens are case-sensitive");
    assertFalse(rotating.accepts(""));
    assertFalse(rotating.accepts(null));
  }

  @Test
  void theCurrentTokenAloneStillWorks() {
    ApiTokens single = ApiTokens.of(Optional.of("only"), Optional.empty());
    assertFalse(single.isEmpty());
    assertTrue(single.accepts("only"));
    assertFalse(single.accepts("new-token"));
  }

  @Test
  void blankValuesAreNoTokens() {
    ApiTokens none = ApiTokens.of(Optional.of("  "), Optional.of(""));
    assertTrue(none.isEmpty());
    assertFalse(none.accepts(""));
    assertFalse(none.accepts("  "));
    assertTrue(ApiTokens.of(Optional.empty(), Optional.empty()).isEmpty());
  }

  @Test
  void aNextTokenWithoutACurrentOneIsAccepted() {
    ApiTokens nextOnly = ApiTokens.of(Optional.empty(), Optional.of("new-token"));
    assertFalse(nextOnly.isEmpty());
    assertTrue(nextOnly.accepts("new-token"));
  }

  @Test
  void surroundingWhitespaceOfAConfiguredTokenIsIgnored() {
    // A Secret made with `echo token > file` ends in a newline.
    assertTrue(ApiTokens.of(Optional.of("old-token\n"), Optional.empty()).accepts("old-token"));
  }
}
