package io.sluice.bounce.kafka;

import io.sluice.bounce.config.BounceConfig;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.jboss.logging.Logger;

/**
 * The one producer of this service (acks=all, idempotent, zstd). {@link #sendAndAwait} returns only
 * once the broker has acknowledged the record, so callers may commit what depends on it.
 */
@ApplicationScoped
public class RecordProducer {
  private static final Logger LOG = Logger.getLogger(RecordProducer.class);

  @Inject KafkaSettings settings;
  @Inject BounceConfig config;

  private volatile KafkaProducer<byte[], byte[]> producer;

  private KafkaProducer<byte[], byte[]> producer() {
    KafkaProducer<byte[], byte[]> p = producer;
    if (p == null) {
      synchronized (this) {
        if (producer == null) {
          producer = new KafkaProducer<>(settings.producer());
        }
        p = producer;
      }
    }
    return p;
  }

  /**
   * @throws ProducerFailure when the broker did not acknowledge within the send timeout; the caller
   *     must not commit anything that depends on the record
   */
  public RecordMetadata sendAndAwait(ProducerRecord<byte[], byte[]> record) {
    try {
      return producer().send(record).get(config.producer().sendTimeout().toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ProducerFailure("interrupted while waiting for the broker to acknowledge a record to " + record.topic(), e);
    } catch (ExecutionException | TimeoutException e) {
      Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
      throw new ProducerFailure("broker did not acknowledge a record to " + record.topic() + ": " + cause, cause);
    }
  }

  /** Sends without waiting; pair with {@link #awaitAll} before committing anything that depends on it. */
  public Future<RecordMetadata> send(ProducerRecord<byte[], byte[]> record) {
    return producer().send(record);
  }

  /**
   * Waits until the broker has acknowledged every record, all within one send timeout.
   *
   * @throws ProducerFailure when one was not acknowledged in time
   */
  public void awaitAll(List<Future<RecordMetadata>> sends) {
    long deadline = System.nanoTime() + config.producer().sendTimeout().toNanos();
    for (Future<RecordMetadata> f : sends) {
      try {
        f.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new ProducerFailure("interrupted while waiting for the broker to acknowledge records", e);
      } catch (ExecutionException | TimeoutException e) {
        Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
        throw new ProducerFailure("broker did not acknowledge a record: " + cause, cause);
      }
    }
  }

  @PreDestroy
  void close() {
    KafkaProducer<byte[], byte[]> p = producer;
    if (p != null) {
      LOG.infof("closing the Kafka producer (waiting up to %s for unsent records)", config.producer().closeTimeout());
      p.close(config.producer().closeTimeout());
    }
  }

  /** The broker did not take a record; nothing that depends on it may be committed. */
  public static final class ProducerFailure extends RuntimeException {
    public ProducerFailure(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
