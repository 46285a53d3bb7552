package io.sluice.delivery.transport;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;

/**
 * A connection past its greeting and EHLO, ready for transactions: the unit the pool keeps. After
 * a transaction the session is idle and may serve the next one after RSET (RFC 5321 §4.1.1.5).
 */
public final class SmtpSession implements AutoCloseable {
  private final SmtpConnection connection;
  private final ServerExtensions extensions;
  private final InetSocketAddress address;
  private final ConnectionPool.Counter counter;
  private int transactions;
  private Instant lastUsed = Instant.now();
  private boolean closed;

  SmtpSession(SmtpConnection connection, ServerExtensions extensions, InetSocketAddress address,
      ConnectionPool.Counter counter) {
    this.connection = connection;
    this.extensions = extensions;
    this.address = address;
    this.counter = counter;
    counter.opened();
  }

  public SmtpConnection connection() {
    return connection;
  }

  public ServerExtensions extensions() {
    return extensions;
  }

  public InetSocketAddress address() {
    return address;
  }

  public int transactions() {
    return transactions;
  }

  void transactionDone() {
    transactions++;
    lastUsed = Instant.now();
  }

  Instant lastUsed() {
    return lastUsed;
  }

  /** Ends the session politely (QUIT, short wait) and closes the socket. */
  public void quit(Duration timeout) {
    try {
      connection.send("QUIT", timeout);
      connection.readReply(timeout);
    } catch (IOException ignored) {
      // closing either way
    }
    close();
  }

  @Override
  public synchronized void close() {
    if (!closed) {
      closed = true;
      connection.close();
      counter.closed();
    }
  }
}
