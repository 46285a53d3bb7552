package io.sluice.ingress;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** Configuration of the ingress service; every key is documented in docs/configuration-ingress.md. */
@ConfigMapping(prefix = "sluice.ingress")
public interface IngressConfig {
  /** Address the relay SMTP listener binds to. */
  @WithDefault("0.0.0.0")
  String host();

  /** Port of the relay SMTP listener; 0 picks a free port (tests). */
  @WithDefault("2525")
  int port();

  /** Our name in the 220 greeting, the EHLO reply and Received headers; default: the local host name. */
  Optional<String> hostname();

  /** Largest message accepted, in octets (SIZE, RFC 1870); must fit Kafka's 12 MiB record limit. */
  @WithDefault("10485760")
  long maxMessageSize();

  /** Most recipients per transaction; beyond it RCPT gets 452 4.5.3. */
  @WithDefault("1000")
  int maxRecipients();

  /** Networks (CIDR) whose clients may relay without AUTH on the relay listener. */
  @WithDefault("127.0.0.0/8,::1/128")
  List<String> trustedNetworks();

  /** Protocol errors (5.5.x replies) a session may make before it gets 421 and is closed. */
  @WithDefault("20")
  int maxBadCommands();

  /** Timeouts (RFC 5321 §4.5.3.2). */
  Timeouts timeout();

  /** How long to wait for the broker to acknowledge a message before answering 451 4.3.0. */
  @WithDefault("30s")
  Duration publishTimeout();

  /** On shutdown, how long transactions in progress may take to finish before they are cut off. */
  @WithDefault("20s")
  Duration shutdownGrace();

  /** How long a Kafka readiness probe result is reused. */
  @WithDefault("5s")
  Duration readinessCache();

  /** Producer buffer memory in bytes; when full, sessions wait (back-pressure) up to the publish timeout. */
  @WithDefault("67108864")
  long producerBufferMemory();

  interface Timeouts {
    /** Waiting for the next command (RFC 5321 §4.5.2: at least 5 minutes). */
    @WithDefault("5m")
    Duration command();

    /** Waiting for the next block of message content (RFC 5321 §4.5.3.2.5: 3 minutes). */
    @WithDefault("3m")
    Duration data();
  }
}
