package io.sluice.delivery.transport;

import io.sluice.schema.Recipient;
import io.sluice.schema.RemoteReply;
import java.util.List;

/**
 * What one destination said about each recipient of a transaction (partial success is normal).
 *
 * @param remoteMta the host that gave the replies ({@code name[address]:port}), or the last host
 *     tried when none could be reached; null when no host was tried
 * @param reachedServer false when no host took the transaction (connection failures, 421, 4xx/5xx
 *     greetings on every host): the signal that shaping backs off on
 */
public record TransactionResult(String remoteMta, List<RecipientReply> replies, boolean reachedServer) {
  public TransactionResult {
    replies = List.copyOf(replies);
  }

  public record RecipientReply(Recipient recipient, RemoteReply reply) {}

  static TransactionResult all(String remoteMta, List<Recipient> recipients, RemoteReply reply, boolean reached) {
    return new TransactionResult(remoteMta, recipients.stream().map(r -> new RecipientReply(r, reply)).toList(), reached);
  }
}
