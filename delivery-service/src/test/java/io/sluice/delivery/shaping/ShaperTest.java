package io.sluice.delivery.shaping;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class ShaperTest {
  private final ShapingPolicy policy = new ShapingPolicy(2, 0, 3, 0, Duration.ofSeconds(30), Duration.ofMinutes(2));

  @Test
  void theWindowAdmitsUpToItsSizeAndThenThrottlesAfterTheQueueTimeout() throws Exception {
    Shaper shaper = new Shaper(policy, Map.of(), Duration.ofMillis(50), Clock.systemUTC());
    Admission a = shaper.admit("mx:a", "a.test");
    Admission b = shaper.admit("mx:a", "a.test");
    Admission c = shaper.admit("mx:a", "a.test");

    assertThat(a).isInstanceOf(Admission.Admitted.class);
    assertThat(b).isInstanceOf(Admission.Admitted.class);
    assertThat(c).isInstanceOfSatisfying(Admission.Throttled.class, t -> {
      assertThat(t.reply().code()).isEqualTo(451);
      assertThat(t.reply().enhancedStatus()).isEqualTo("4.4.5");
    });
    assertThat(shaper.inUse("mx:a")).isEqualTo(2);
    assertThat(shaper.admit("mx:other", "b.test")).as("other destinations are not affected")
        .isInstanceOf(Admission.Admitted.class);

    ((Admission.Admitted) a).permit().release(true);
    assertThat(shaper.admit("mx:a", "a.test")).isInstanceOf(Admission.Admitted.class);
  }

  @Test
  void aWaitingMessageGetsTheSlotWhenItIsReleased() throws Exception {
    Shaper shaper = new Shaper(new ShapingPolicy(1, 0, 3, 0, Duration.ofSeconds(30), Duration.ofMinutes(2)), Map.of(),
        Duration.ofSeconds(5), Clock.systemUTC());
    Admission.Admitted first = (Admission.Admitted) shaper.admit("mx:a", "a.test");
    AtomicReference<Admission> second = new AtomicReference<>();
    Thread waiter = Thread.ofVirtual().start(() -> {
      try {
        second.set(shaper.admit("mx:a", "a.test"));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    while (shaper.waiting("mx:a") == 0) {
      Thread.sleep(5);
    }
    first.permit().release(true);
    waiter.join();
    assertThat(second.get()).isInstanceOf(Admission.Admitted.class);
  }

  @Test
  void theBreakerOpensAfterConsecutiveFailuresAndDoublesItsPause() throws Exception {
    MutableClock clock = new MutableClock();
    Shaper shaper = new Shaper(policy, Map.of(), Duration.ofMillis(50), clock);
    for (int i = 0; i < 3; i++) {
      ((Admission.Admitted) shaper.admit("mx:down", "down.test")).permit().release(false);
    }
    assertThat(shaper.admit("mx:down", "down.test")).isInstanceOf(Admission.Throttled.class);

    clock.advance(Duration.ofSeconds(30));
    Admission.Admitted probe = (Admission.Admitted) shaper.admit("mx:down", "down.test");
    probe.permit().release(false); // still down: reopens for twice as long
    clock.advance(Duration.ofSeconds(59));
    assertThat(shaper.admit("mx:down", "down.test")).isInstanceOf(Admission.Throttled.class);
    clock.advance(Duration.ofSeconds(1));
    Admission.Admitted ok = (Admission.Admitted) shaper.admit("mx:down", "down.test");
    ok.permit().release(true);
    ((Admission.Admitted) shaper.admit("mx:down", "down.test")).permit().release(false);
    assertThat(shaper.admit("mx:down", "down.test")).as("a success resets the failure count")
        .isInstanceOf(Admission.Admitted.class);
  }

  @Test
  void anUnreachableTransactionHalvesTheWindowAndSuccessesWidenItAgain() throws Exception {
    Shaper shaper = new Shaper(new ShapingPolicy(8, 0, 100, 0, Duration.ofSeconds(30), Duration.ofMinutes(2)), Map.of(),
        Duration.ofMillis(20), Clock.systemUTC());
    ((Admission.Admitted) shaper.admit("mx:busy", "busy.test")).permit().release(false);
    assertThat(shaper.limit("mx:busy")).isEqualTo(4);
    ((Admission.Admitted) shaper.admit("mx:busy", "busy.test")).permit().release(false);
    assertThat(shaper.limit("mx:busy")).isEqualTo(2);

    Admission a = shaper.admit("mx:busy", "busy.test");
    Admission b = shaper.admit("mx:busy", "busy.test");
    assertThat(shaper.admit("mx:busy", "busy.test")).as("only two slots now").isInstanceOf(Admission.Throttled.class);
    ((Admission.Admitted) a).permit().release(true);
    ((Admission.Admitted) b).permit().release(true);
    assertThat(shaper.limit("mx:busy")).isEqualTo(4);
    assertThat(shaper.inUse("mx:busy")).isZero();
    for (int i = 0; i < 10; i++) {
      ((Admission.Admitted) shaper.admit("mx:busy", "busy.test")).permit().release(true);
    }
    assertThat(shaper.limit("mx:busy")).as("never above the configured maximum").isEqualTo(8);
  }

  @Test
  void shrinkingWhileSlotsAreInUseNeverAdmitsMoreThanTheNewWindow() throws Exception {
    Shaper shaper = new Shaper(new ShapingPolicy(4, 0, 100, 0, Duration.ofSeconds(30), Duration.ofMinutes(2)), Map.of(),
        Duration.ofMillis(20), Clock.systemUTC());
    Admission.Admitted[] held = new Admission.Admitted[4];
    for (int i = 0; i < 4; i++) {
      held[i] = (Admission.Admitted) shaper.admit("mx:x", "x.test");
    }
    held[0].permit().release(false); // window 4 -> 2, three still in use
    assertThat(shaper.admit("mx:x", "x.test")).isInstanceOf(Admission.Throttled.class);
    held[1].permit().release(true); // window 3, two in use
    held[2].permit().release(true); // window 4, one in use
    assertThat(shaper.inUse("mx:x")).isEqualTo(1);
    assertThat(shaper.admit("mx:x", "x.test")).isInstanceOf(Admission.Admitted.class);
  }

  @Test
  void aDomainOverrideSetsItsDestinationsWindow() throws Exception {
    Shaper shaper = new Shaper(policy,
        Map.of("big.test", new ShapingPolicy(3, 0, 3, 0, Duration.ofSeconds(30), Duration.ofMinutes(2))),
        Duration.ofMillis(20), Clock.systemUTC());
    for (int i = 0; i < 3; i++) {
      assertThat(shaper.admit("mx:big", "BIG.test")).isInstanceOf(Admission.Admitted.class);
    }
    assertThat(shaper.admit("mx:big", "big.test")).isInstanceOf(Admission.Throttled.class);
  }

  @Test
  void theRateLimitThrottlesWhenNoTokenComesWithinTheQueueTimeout() throws Exception {
    Shaper shaper = new Shaper(new ShapingPolicy(10, 1, 3, 0, Duration.ofSeconds(30), Duration.ofMinutes(2)), Map.of(),
        Duration.ofMillis(100), Clock.systemUTC());
    ((Admission.Admitted) shaper.admit("mx:r", "r.test")).permit().release(true);
    assertThat(shaper.admit("mx:r", "r.test")).isInstanceOf(Admission.Throttled.class);
    assertThat(shaper.inUse("mx:r")).isZero();
  }

  @Test
  void aRunOfTransactionsThatDeferredEveryRecipientOpensTheBreakerButKeepsTheWindow() throws Exception {
    MutableClock clock = new MutableClock();
    Shaper shaper = new Shaper(new ShapingPolicy(4, 0, 100, 3, Duration.ofSeconds(30), Duration.ofMinutes(2)),
        Map.of(), Duration.ofMillis(20), clock);
    for (int i = 0; i < 2; i++) {
      ((Admission.Admitted) shaper.admit("mx:grey", "grey.test")).permit().release(TransactionFeedback.TEMPFAILED);
    }
    assertThat(shaper.limit("mx:grey")).as("the server answers, so the window stays").isEqualTo(4);
    assertThat(shaper.admit("mx:grey", "grey.test")).isInstanceOfSatisfying(Admission.Admitted.class,
        a -> a.permit().release(TransactionFeedback.TEMPFAILED));

    assertThat(shaper.admit("mx:grey", "grey.test")).isInstanceOfSatisfying(Admission.Throttled.class,
        t -> assertThat(t.reply().enhancedStatus()).isEqualTo("4.4.5"));
    clock.advance(Duration.ofSeconds(30));
    ((Admission.Admitted) shaper.admit("mx:grey", "grey.test")).permit().release(TransactionFeedback.TEMPFAILED);
    clock.advance(Duration.ofSeconds(59));
    assertThat(shaper.admit("mx:grey", "grey.test")).as("still refusing: paused twice as long")
        .isInstanceOf(Admission.Throttled.class);
  }

  @Test
  void anAnsweredTransactionResetsTheTempfailRunAndAThresholdOfZeroNeverPauses() throws Exception {
    Shaper shaper = new Shaper(new ShapingPolicy(4, 0, 100, 2, Duration.ofSeconds(30), Duration.ofMinutes(2)),
        Map.of("off.test", new ShapingPolicy(4, 0, 100, 0, Duration.ofSeconds(30), Duration.ofMinutes(2))),
        Duration.ofMillis(20), Clock.systemUTC());
    for (int i = 0; i < 5; i++) {
      ((Admission.Admitted) shaper.admit("mx:mixed", "mixed.test")).permit().release(TransactionFeedback.TEMPFAILED);
      ((Admission.Admitted) shaper.admit("mx:mixed", "mixed.test")).permit().release(TransactionFeedback.ANSWERED);
      ((Admission.Admitted) shaper.admit("mx:off", "off.test")).permit().release(TransactionFeedback.TEMPFAILED);
    }
    assertThat(shaper.admit("mx:mixed", "mixed.test")).isInstanceOf(Admission.Admitted.class);
    assertThat(shaper.admit("mx:off", "off.test")).isInstanceOf(Admission.Admitted.class);
  }

  @Test
  void afterAPauseOneProbeGoesWhileTheRestIsStillDeferredAndItsAnswerClosesTheBreaker() throws Exception {
    MutableClock clock = new MutableClock();
    Shaper shaper = new Shaper(new ShapingPolicy(4, 0, 100, 2, Duration.ofSeconds(30), Duration.ofMinutes(2)),
        Map.of(), Duration.ofMillis(20), clock);
    for (int i = 0; i < 2; i++) {
      ((Admission.Admitted) shaper.admit("mx:grey", "grey.test")).permit().release(TransactionFeedback.TEMPFAILED);
    }
    clock.advance(Duration.ofSeconds(30));
    assertThat(shaper.pausedReply("mx:grey")).as("half-open: a transaction may try").isNull();

    Admission.Admitted probe = (Admission.Admitted) shaper.admit("mx:grey", "grey.test");
    assertThat(shaper.admit("mx:grey", "grey.test")).as("a free slot, but the probe is out")
        .isInstanceOfSatisfying(Admission.Throttled.class, t -> assertThat(t.reply().enhancedStatus()).isEqualTo("4.4.5"));
    assertThat(shaper.pausedReply("mx:grey")).as("the consumer path defers too").isNotNull();
    assertThat(shaper.inUse("mx:grey")).isEqualTo(1);

    probe.permit().release(TransactionFeedback.ANSWERED);
    assertThat(shaper.pausedReply("mx:grey")).isNull();
    Admission.Admitted a = (Admission.Admitted) shaper.admit("mx:grey", "grey.test");
    Admission.Admitted b = (Admission.Admitted) shaper.admit("mx:grey", "grey.test");
    a.permit().release(TransactionFeedback.TEMPFAILED);
    assertThat(shaper.admit("mx:grey", "grey.test")).as("closed: a new run has to reach the threshold again")
        .isInstanceOf(Admission.Admitted.class);
    b.permit().release(TransactionFeedback.ANSWERED);
  }

  @Test
  void aFailedProbeReopensAtOnceForTwiceAsLongAndAStragglerFromBeforeThePauseDoesNotExtendIt() throws Exception {
    MutableClock clock = new MutableClock();
    // room for a few halvings: the window must not be what throttles here
    Shaper shaper = new Shaper(new ShapingPolicy(64, 0, 3, 0, Duration.ofSeconds(30), Duration.ofMinutes(2)),
        Map.of(), Duration.ofMillis(20), clock);
    Admission.Admitted straggler = (Admission.Admitted) shaper.admit("mx:down", "down.test");
    for (int i = 0; i < 3; i++) {
      ((Admission.Admitted) shaper.admit("mx:down", "down.test")).permit().release(TransactionFeedback.UNREACHABLE);
    }
    clock.advance(Duration.ofSeconds(30));
    straggler.permit().release(TransactionFeedback.UNREACHABLE);
    assertThat(shaper.pausedReply("mx:down")).as("a transaction from before the pause does not reopen it").isNull();
    Admission.Admitted probe = (Admission.Admitted) shaper.admit("mx:down", "down.test");

    probe.permit().release(TransactionFeedback.UNREACHABLE);
    clock.advance(Duration.ofSeconds(59));
    assertThat(shaper.admit("mx:down", "down.test")).isInstanceOf(Admission.Throttled.class);
    clock.advance(Duration.ofSeconds(1));
    Admission.Admitted second = (Admission.Admitted) shaper.admit("mx:down", "down.test");
    assertThat(shaper.admit("mx:down", "down.test")).as("one probe per half-open spell").isInstanceOf(Admission.Throttled.class);
    second.permit().release(TransactionFeedback.TEMPFAILED);
    assertThat(shaper.admit("mx:down", "down.test")).as("a probe the server deferred reopens it as well")
        .isInstanceOf(Admission.Throttled.class);
  }

  @Test
  void anAdmissionThatFindsNoSlotDoesNotBecomeTheProbe() throws Exception {
    MutableClock clock = new MutableClock();
    Shaper shaper = new Shaper(new ShapingPolicy(2, 0, 1, 0, Duration.ofSeconds(30), Duration.ofMinutes(2)),
        Map.of(), Duration.ofMillis(20), clock);
    Admission.Admitted straggler = (Admission.Admitted) shaper.admit("mx:down", "down.test");
    ((Admission.Admitted) shaper.admit("mx:down", "down.test")).permit().release(TransactionFeedback.UNREACHABLE);
    assertThat(shaper.limit("mx:down")).as("halved to the slot the straggler holds").isEqualTo(1);
    clock.advance(Duration.ofSeconds(30));

    assertThat(shaper.admit("mx:down", "down.test")).as("no free slot").isInstanceOf(Admission.Throttled.class);
    assertThat(shaper.pausedReply("mx:down")).as("so no probe is out").isNull();
    straggler.permit().release(TransactionFeedback.UNREACHABLE);
    Admission.Admitted probe = (Admission.Admitted) shaper.admit("mx:down", "down.test");
    assertThat(shaper.pausedReply("mx:down")).isNotNull();
    probe.permit().release(TransactionFeedback.ANSWERED);
    assertThat(shaper.pausedReply("mx:down")).isNull();
    assertThat(shaper.limit("mx:down")).isEqualTo(2);
  }
}
