package io.sluice.delivery.suppress;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.sluice.delivery.attempt.AttemptReport;
import io.sluice.delivery.attempt.RecipientOutcome;
import io.sluice.delivery.outcome.Replies;
import io.sluice.schema.EventType;
import io.sluice.schema.Recipient;
import io.sluice.schema.SubmittedMessage;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import org.jboss.logging.Logger;

/**
 * Enforces the suppression list before routing: a suppressed recipient is BOUNCED with {@code 550
 * 5.7.1} and no connection is made for it; the others go on to the attempt. It runs in delivery
 * because delivery sees every recipient (fresh mail, retries from the tiers and DSNs alike), and it
 * reads a local copy of the list, where ingress would need a synchronous lookup per RCPT.
 *
 * <p>Until the list has been read once, attempts wait here (the record stays uncommitted), so that
 * a starting instance never mails an address the list already holds.
 */
@Singleton // no client proxy to resolve on every call: it is called for every message
public class SuppressionGate {
  private static final Logger LOG = Logger.getLogger(SuppressionGate.class);
  /** Metrics destination of suppressed recipients. */
  public static final String DESTINATION = "suppressed";
  private static final Duration WAIT_LOG = Duration.ofSeconds(30);

  private final SuppressionView view;
  private final Clock clock;
  private final Counter suppressed;

  @Inject
  public SuppressionGate(SuppressionFollower follower, MeterRegistry registry) {
    this(follower.enabled() ? follower.view() : null, Clock.systemUTC(), registry);
  }

  /** @param view null: enforcement off, every recipient goes to the attempt */
  public SuppressionGate(SuppressionView view, Clock clock, MeterRegistry registry) {
    this.view = view;
    this.clock = clock;
    this.suppressed = Counter.builder("sluice.delivery.suppressed")
        .description("Recipients bounced with 5.7.1 because they are on the suppression list").register(registry);
  }

  /**
   * Runs {@code attempt} for the recipients that are not suppressed, and returns one report with an
   * outcome for every recipient of {@code message}.
   */
  public AttemptReport run(SubmittedMessage message, Function<SubmittedMessage, AttemptReport> attempt) {
    if (view == null) {
      return attempt.apply(message);
    }
    if (!awaitLoaded(message)) { // interrupted: shutting down; the mail waits in a tier
      List<RecipientOutcome> held = message.recipients().stream().map(r -> new RecipientOutcome(r,
          EventType.DEFERRED, Replies.localError("interrupted (shutting down)"), null, "local")).toList();
      return new AttemptReport(message, message.attempt() + 1, clock.instant(), held);
    }
    Instant now = clock.instant();
    List<RecipientOutcome> blocked = new ArrayList<>();
    List<Recipient> allowed = new ArrayList<>();
    for (Recipient r : message.recipients()) {
      Optional<SuppressionView.Listed> listed = view.blocking(r.address(), now);
      if (listed.isPresent()) {
        blocked.add(new RecipientOutcome(r, EventType.BOUNCED,
            Replies.suppressed(r.address(), listed.get().source(), listed.get().expiresAt()), null, DESTINATION));
      } else {
        allowed.add(r);
      }
    }
    if (blocked.isEmpty()) {
      return attempt.apply(message);
    }
    suppressed.increment(blocked.size());
    if (allowed.isEmpty()) {
      return new AttemptReport(message, message.attempt() + 1, clock.instant(), blocked);
    }
    AttemptReport rest = attempt.apply(withRecipients(message, allowed));
    List<RecipientOutcome> all = new ArrayList<>(blocked);
    all.addAll(rest.outcomes());
    return new AttemptReport(message, rest.attempt(), rest.finishedAt(), all);
  }

  /**
   * Whether {@link #run} could treat any recipient of {@code message} differently from the attempt
   * alone: true while the list has not been read yet, or when a recipient is on it.
   */
  public boolean mayApply(SubmittedMessage message) {
    if (view == null) {
      return false;
    }
    if (!view.isLoaded()) {
      return true;
    }
    Instant now = clock.instant();
    for (Recipient r : message.recipients()) {
      if (view.blocking(r.address(), now).isPresent()) {
        return true;
      }
    }
    return false;
  }

  private boolean awaitLoaded(SubmittedMessage message) {
    try {
      while (!view.awaitLoaded(WAIT_LOG)) {
        LOG.warnf("%s waits for the suppression list to be read (see the sluice-suppressions log lines); it is "
            + "kept uncommitted meanwhile", message.queueId());
      }
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private static SubmittedMessage withRecipients(SubmittedMessage m, List<Recipient> recipients) {
    return new SubmittedMessage(m.queueId(), m.receivedAt(), m.clientAddress(), m.heloName(), m.reversePath(),
        m.envid(), m.ret(), m.smtputf8(), recipients, m.content(), m.attempt(), m.notBefore(), m.history());
  }
}
