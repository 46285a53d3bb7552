import io.sluice.schema.AvroCodec;
import io.sluice.schema.DeliveryEvent;
import io.sluice.schema.EventType;
import io.sluice.schema.MessageSummary;
import io.sluice.schema.QueueIds;
import io.sluice.schema.Recipient;
import io.sluice.schema.RemoteReply;
import io.sluice.schema.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Puts a realistic event stream on sluice.events for the bounce benchmark: per message, one
 * RECEIVED and one final event per recipient, where every 20th message bounces (so DSNs are
 * composed and published too) and the rest are delivered.
 *
 * <p>Run with queue-schema and the Kafka client on the classpath (deploy/bench/bounce.sh does):
 * {@code java -cp ... LoadEvents.java <bootstrap> <messages>}. Prints the number of events written.
 */
public final class LoadEvents {
  public static void main(String[] args) {
    String bootstrap = args[0];
    int messages = Integer.parseInt(args[1]);
    AvroCodec<DeliveryEvent> codec = AvroCodec.deliveryEvents();
    QueueIds ids = new QueueIds();
    byte[] headers = "From: <app@bench.test>\r\nTo: <user@bench.test>\r\nSubject: bench\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
    long events = 0;
    try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
        ProducerConfig.ACKS_CONFIG, "all",
        ProducerConfig.LINGER_MS_CONFIG, 10,
        ProducerConfig.COMPRESSION_TYPE_CONFIG, "zstd"), new StringSerializer(), new ByteArraySerializer())) {
      for (int i = 0; i < messages; i++) {
        String queueId = ids.next();
        Instant now = Instant.now();
        Recipient rcpt = Recipient.of("user" + i + "@bench.test");
        MessageSummary summary = new MessageSummary("app@bench.test", null, null, "<" + queueId + "@bench.test>",
            2048, now, "127.0.0.1", headers);
        boolean bounce = i % 20 == 0;
        DeliveryEvent received = DeliveryEvent.received(queueId, rcpt, now, summary);
        DeliveryEvent outcome = bounce
            ? new DeliveryEvent(queueId, EventType.BOUNCED, rcpt, 1, now, "mx.bench.test",
                new RemoteReply(550, "5.1.1", "no such user"), 1, summary)
            : new DeliveryEvent(queueId, EventType.DELIVERED, rcpt, 1, now, "mx.bench.test",
                new RemoteReply(250, "2.0.0", "Ok"), 0, null);
        producer.send(new ProducerRecord<>(Topics.EVENTS, queueId, codec.encode(received)));
        producer.send(new ProducerRecord<>(Topics.EVENTS, queueId, codec.encode(outcome)));
        events += 2;
      }
      producer.flush();
    }
    System.out.println(events);
  }
}
