import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The Kafka share of deferring one message to a paused destination, without any SMTP or Sluice
 * logic: what the cheapest possible delivery would still pay per deferral, since contract 2 makes it
 * re-write the whole record to a deferred tier (and an event) and commit only after the broker acked.
 * That bounds the isolation benchmark's "kept": if the run is CPU-bound, kept is at most
 * C_h / (C_h + C_d) with C_d no lower than this floor.
 *
 * <p>The records are preloaded as ingress writes them (ProducerFloor's lock-step sessions, so the
 * consumer decompresses batches of the size it meets in production). Then each mode reads the whole
 * topic with its own group, the first {@code warmup} records warming the JIT up:
 * <ul>
 *   <li>{@code consume}: poll and commit, nothing else: the lower bound of any per-record handling;
 *   <li>{@code defer}: per record, a same-size record to {@code sluice.deferred.1m} and a small event
 *       to {@code sluice.events}, with delivery's producer settings (RecordPublisher), and offsets
 *       committed once a second up to the records whose both sends were acked (DeliveryConsumer's
 *       commit interval).
 * </ul>
 *
 * <pre>java -cp "kafka-libs/*" deploy/bench/DeferralFloor.java &lt;bootstrap&gt; &lt;warmup&gt; &lt;records&gt;
 *     &lt;broker-pid&gt; &lt;mode&gt;...</pre>
 *
 * With {@code -Drate=N} each mode is held to N records/s; mode {@code idle} measures what pacing
 * costs with nothing to do.
 *
 * <p>Prints, per mode, records/s and this process's and the broker's CPU per record over the measured
 * records only (from the poll that passed {@code warmup} to the commit that covered the last record).
 */
public final class DeferralFloor {
  /** Delivery's Deferred event: envelope, recipient, the 4xx reply. */
  static final int EVENT_SIZE = 300;
  static final Duration COMMIT_INTERVAL = Duration.ofSeconds(1);
  /**
   * Records/s to hold each mode to (0: as fast as it goes). Unpaced, 128 KiB batches fill and the
   * per-batch costs (request, broker append, zstd stream) vanish; in the mixed phase deferrals come
   * at the healthy rate, about 6,000/s, so the 10 ms linger closes far smaller batches.
   */
  static final int RATE = Integer.getInteger("rate", 0);

  public static void main(String[] args) throws Exception {
    String bootstrap = args[0];
    int warmup = Integer.parseInt(args[1]);
    int records = Integer.parseInt(args[2]);
    long brokerPid = Long.parseLong(args[3]);
    try (KafkaProducer<String, byte[]> loader = ProducerFloor.producer(bootstrap, "floor-load", 2, true)) {
      ProducerFloor.run(loader, null, 20, warmup + records, null);
    }
    try (KafkaProducer<String, byte[]> producer = deliveryProducer(bootstrap)) {
      for (int i = 4; i < args.length; i++) {
        String mode = args[i];
        if (mode.equals("idle")) {
          idle(bootstrap, brokerPid);
          continue;
        }
        measure(bootstrap, mode + "-" + i, mode.equals("defer") ? producer : null, warmup, records, brokerPid, mode);
      }
    }
  }

  /** RecordPublisher's settings. */
  static KafkaProducer<String, byte[]> deliveryProducer(String bootstrap) {
    Map<String, Object> p = new HashMap<>();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "zstd");
    p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 12_582_912);
    // -DdeferLinger=N: what longer batches would save at the paced rate (delivery lingers 10 ms).
    p.put(ProducerConfig.LINGER_MS_CONFIG, Integer.getInteger("deferLinger", 10));
    p.put(ProducerConfig.BATCH_SIZE_CONFIG, 128 * 1024);
    p.put(ProducerConfig.CLIENT_ID_CONFIG, "floor-delivery-producer");
    return new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
  }

  static KafkaConsumer<String, byte[]> consumer(String bootstrap, String group) {
    Map<String, Object> p = new HashMap<>();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ConsumerConfig.GROUP_ID_CONFIG, group);
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    p.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 12_582_912);
    p.put(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, 4 * 12_582_912);
    p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 500);
    return new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer());
  }

  /** One poll's records: committable once every send they made was acked. */
  record Batch(Map<TopicPartition, OffsetAndMetadata> next, AtomicInteger pending, int size) {}

  /** Sleeps while {@code done} records are ahead of RATE since {@code start}. */
  static void pace(int done, long start) throws InterruptedException {
    if (RATE > 0) {
      long due = start + (long) (done * 1e9 / RATE);
      long ahead = due - System.nanoTime();
      if (ahead > 1_000_000) {
        Thread.sleep(Duration.ofNanos(ahead));
      }
    }
  }

  /**
   * Ten seconds of a subscribed consumer on an empty topic and an unused producer: the CPU per
   * second that a paced run pays whatever it does (heartbeats, fetch long-polls, broker timers), to
   * subtract from its per-record figures, as that cost belongs to the alone phase as much.
   */
  static void idle(String bootstrap, long brokerPid) throws Exception {
    try (KafkaConsumer<String, byte[]> c = consumer(bootstrap, "idle")) {
      c.subscribe(List.of("sluice.dead"));
      c.poll(Duration.ofSeconds(3));
      long cpu0 = ProducerFloor.ownCpuNanos();
      long broker0 = ProducerFloor.ticks(brokerPid);
      long t0 = System.nanoTime();
      while (System.nanoTime() - t0 < 10_000_000_000L) {
        c.poll(Duration.ofMillis(100));
      }
      double s = (System.nanoTime() - t0) / 1e9;
      System.out.printf("mode=idle client_cpu_ms_per_s=%.1f broker_cpu_ms_per_s=%.1f%n",
          (ProducerFloor.ownCpuNanos() - cpu0) / 1e6 / s, (ProducerFloor.ticks(brokerPid) - broker0) * 10 / s);
    }
  }

  static void measure(String bootstrap, String group, KafkaProducer<String, byte[]> producer, int warmup,
      int records, long brokerPid, String mode) throws Exception {
    byte[] event = ProducerFloor.content(EVENT_SIZE);
    ArrayDeque<Batch> inFlight = new ArrayDeque<>();
    int total = warmup + records;
    int consumed = 0;
    int committed = 0;
    long cpu0 = 0;
    long broker0 = 0;
    long t0 = 0;
    int measured = 0;
    long nextCommit = System.nanoTime();
    long paceStart = 0;
    try (KafkaConsumer<String, byte[]> c = consumer(bootstrap, group)) {
      c.subscribe(List.of("sluice.submitted"));
      while (committed < total) {
        ConsumerRecords<String, byte[]> polled = c.poll(Duration.ofMillis(100));
        if (t0 == 0 && consumed >= warmup) {
          t0 = System.nanoTime();
          measured = total - consumed;
          cpu0 = ProducerFloor.ownCpuNanos();
          broker0 = ProducerFloor.ticks(brokerPid);
        }
        if (!polled.isEmpty()) {
          // From the first records, not from subscribing: the group join must not count as credit.
          paceStart = paceStart == 0 ? System.nanoTime() : paceStart;
          Map<TopicPartition, OffsetAndMetadata> next = new HashMap<>();
          AtomicInteger pending = new AtomicInteger(producer == null ? 0 : 2 * polled.count());
          Callback acked = (metadata, error) -> {
            if (error != null) {
              throw new IllegalStateException(error);
            }
            pending.decrementAndGet();
          };
          for (ConsumerRecord<String, byte[]> r : polled) {
            pace(consumed, paceStart);
            consumed++;
            next.put(new TopicPartition(r.topic(), r.partition()), new OffsetAndMetadata(r.offset() + 1));
            if (producer != null) {
              // A copy, as the real deferral re-encodes the message rather than forwarding the bytes.
              ProducerRecord<String, byte[]> deferred =
                  new ProducerRecord<>("sluice.deferred.1m", r.key(), r.value().clone());
              r.headers().forEach(h -> deferred.headers().add(h));
              producer.send(deferred, acked);
              producer.send(new ProducerRecord<>("sluice.events", r.key(), event), acked);
            }
          }
          inFlight.add(new Batch(next, pending, polled.count()));
        }
        // The last record's commit ends the measurement, so it must not wait for the interval.
        boolean allAcked = consumed == total && inFlight.stream().allMatch(b -> b.pending().get() == 0);
        if (System.nanoTime() >= nextCommit || allAcked) {
          nextCommit = System.nanoTime() + COMMIT_INTERVAL.toNanos();
          Map<TopicPartition, OffsetAndMetadata> commits = new HashMap<>();
          while (!inFlight.isEmpty() && inFlight.peek().pending().get() == 0) {
            Batch b = inFlight.poll();
            commits.putAll(b.next());
            committed += b.size();
          }
          if (!commits.isEmpty()) {
            c.commitSync(commits);
          }
        }
      }
    }
    long elapsed = System.nanoTime() - t0;
    long cpu = ProducerFloor.ownCpuNanos() - cpu0;
    long broker = ProducerFloor.ticks(brokerPid) - broker0;
    System.out.printf("mode=%s records=%d rec_per_s=%.0f client_cpu_us=%.1f broker_cpu_us=%.1f total_cpu_us=%.1f%n",
        mode, measured, measured * 1e9 / elapsed, cpu / 1e3 / measured, broker * 1e6 / 100 / measured,
        (cpu / 1e3 + broker * 1e6 / 100) / measured);
  }
}
