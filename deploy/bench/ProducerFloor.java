import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The Kafka producer's share of ingress's cost, without any SMTP: what the cheapest possible ingress
 * would still pay per message for the publish that contract 1 requires. {@code sessions} virtual
 * threads each send one record of about the size ingress writes for a {@code smtp-source -l 2048}
 * message and wait for its acknowledgement before sending the next, as ingress's lock-step sessions
 * do; with {@code events}, each acknowledged record is followed by one unawaited RECEIVED-sized
 * record on a second producer, as ingress does. The producers carry ingress's settings
 * (MessagePublisher: acks=all, idempotence, zstd, linger 2, keys ignored by the partitioner; the
 * events producer lingers 20 ms and keeps key partitioning).
 *
 * <pre>java -cp "kafka-libs/*" deploy/bench/ProducerFloor.java &lt;bootstrap&gt; &lt;sessions&gt; &lt;warmup&gt;
 *     &lt;records&gt; &lt;broker-pid&gt; &lt;events: true|false&gt;</pre>
 *
 * Prints records/s, this process's CPU (user+system) per record, the broker's CPU per record, and
 * the send-to-ack latency (p50, p99), all over the measured records only.
 */
public final class ProducerFloor {
  /** Received header, smtp-source's headers and 2048 octets of body, Avro envelope: what ingress sends. */
  static final int VALUE_SIZE = 2560;
  /** A RECEIVED event: envelope, summary and the header section. */
  static final int EVENT_SIZE = 700;

  public static void main(String[] args) throws Exception {
    String bootstrap = args[0];
    int sessions = Integer.parseInt(args[1]);
    int warmup = Integer.parseInt(args[2]);
    int records = Integer.parseInt(args[3]);
    long brokerPid = Long.parseLong(args[4]);
    boolean events = Boolean.parseBoolean(args[5]);
    try (KafkaProducer<String, byte[]> messages = producer(bootstrap, "floor", 2, true);
        KafkaProducer<String, byte[]> receivedEvents = producer(bootstrap, "floor-events", 20, false)) {
      run(messages, events ? receivedEvents : null, sessions, warmup, null);
      long[] latencies = new long[records];
      long cpu0 = ownCpuNanos();
      long broker0 = ticks(brokerPid);
      long t0 = System.nanoTime();
      run(messages, events ? receivedEvents : null, sessions, records, latencies);
      long elapsed = System.nanoTime() - t0;
      long cpu = ownCpuNanos() - cpu0;
      long broker = ticks(brokerPid) - broker0;
      Arrays.sort(latencies);
      System.out.printf("records=%d msg_per_s=%.0f client_cpu_us=%.0f broker_cpu_us=%.0f p50_ms=%.2f p99_ms=%.2f%n",
          records, records * 1e9 / elapsed, cpu / 1e3 / records, broker * 1e6 / 100 / records,
          latencies[records / 2] / 1e6, latencies[records * 99 / 100] / 1e6);
    }
  }

  static KafkaProducer<String, byte[]> producer(String bootstrap, String id, int lingerMs, boolean ignoreKeys) {
    Map<String, Object> c = new HashMap<>();
    c.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    c.put(ProducerConfig.CLIENT_ID_CONFIG, id);
    c.put(ProducerConfig.ACKS_CONFIG, "all");
    c.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    c.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, System.getProperty("compression", "zstd"));
    c.put(ProducerConfig.LINGER_MS_CONFIG, Integer.getInteger("linger", lingerMs));
    c.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 12_582_912);
    c.put(ProducerConfig.PARTITIONER_IGNORE_KEYS_CONFIG, ignoreKeys);
    return new KafkaProducer<>(c, new StringSerializer(), new ByteArraySerializer());
  }

  /** Each session sends and waits, {@code total} records in all; latencies (nanos) when given. */
  static void run(KafkaProducer<String, byte[]> messages, KafkaProducer<String, byte[]> events, int sessions,
      int total, long[] latencies) throws InterruptedException {
    AtomicLong next = new AtomicLong();
    byte[] value = content(VALUE_SIZE);
    byte[] event = content(EVENT_SIZE);
    List<Thread> threads = new ArrayList<>();
    for (int s = 0; s < sessions; s++) {
      threads.add(Thread.ofVirtual().start(() -> {
        long i;
        while ((i = next.getAndIncrement()) < total) {
          String key = String.format("%026d", System.nanoTime() ^ i);
          ProducerRecord<String, byte[]> record = new ProducerRecord<>("sluice.submitted", key, value);
          record.headers().add("traceparent",
              "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-00".getBytes(StandardCharsets.UTF_8));
          long started = System.nanoTime();
          try {
            messages.send(record).get();
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
          if (latencies != null) {
            latencies[(int) i] = System.nanoTime() - started;
          }
          if (events != null) {
            events.send(new ProducerRecord<>("sluice.events", key, event));
          }
        }
      }));
    }
    for (Thread t : threads) {
      t.join();
    }
  }

  /** Text like smtp-source's: header lines, then lines of X (it compresses as the real mail does). */
  static byte[] content(int size) {
    StringBuilder b = new StringBuilder(size);
    b.append("Received: from localhost (localhost [127.0.0.1]) by ingress.bench with ESMTP id 01KBQ1Z9X4\r\n")
        .append("From: <bench@bench.test>\r\nTo: <sink@bench.test>\r\nSubject: bench\r\n\r\n");
    while (b.length() < size) {
      b.append("X".repeat(Math.min(78, Math.max(0, size - b.length() - 2)))).append("\r\n");
    }
    return b.substring(0, size).getBytes(StandardCharsets.US_ASCII);
  }

  static long ownCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
        .getOperatingSystemMXBean()).getProcessCpuTime();
  }

  /** user+system clock ticks (USER_HZ, 100 on Linux) of a process. */
  static long ticks(long pid) throws java.io.IOException {
    String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    return Long.parseLong(f[11]) + Long.parseLong(f[12]);
  }
}
