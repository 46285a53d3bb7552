package io.sluice.bounce.consume;

import io.sluice.bounce.store.EventStore.AttemptKey;
import io.sluice.schema.DeliveryEvent;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The whole messages that failure events of a batch carry for RET=FULL DSNs, by attempt. Delivery
 * puts the body on the last failure event of an attempt, the one that completes its report, so it
 * is in the batch that writes the report. Kept only while the batch is handled: the database
 * stores headers, never bodies.
 */
final class ReturnedContent {
  private ReturnedContent() {}

  static Map<AttemptKey, byte[]> of(List<DeliveryEvent> events) {
    Map<AttemptKey, byte[]> content = new HashMap<>();
    for (DeliveryEvent e : events) {
      if (e.message() != null && e.message().content() != null) {
        content.putIfAbsent(new AttemptKey(e.queueId(), e.attempt()), e.message().content());
      }
    }
    return content;
  }
}
