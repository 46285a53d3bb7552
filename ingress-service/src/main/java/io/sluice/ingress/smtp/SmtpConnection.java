package io.sluice.ingress.smtp;

import io.sluice.ingress.IngressMetrics;
import io.sluice.ingress.publish.KafkaReadiness;
import io.sluice.ingress.publish.QueueWriter;
import io.sluice.schema.QueueIds;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.concurrent.locks.ReentrantLock;
import org.jboss.logging.Logger;

/**
 * One SMTP session on its own virtual thread: reads commands, lets {@link SmtpProtocol} decide,
 * writes replies, and performs the I/O actions (DATA, STARTTLS, AUTH) the protocol asks for.
 *
 * <p>Memory per session is bounded: an 8 KiB read buffer, command lines of at most
 * {@link #MAX_COMMAND_LINE} octets, and message content capped at the SIZE limit.
 *
 * <p>Replies are buffered and flushed just before a read would block, which is what PIPELINING needs
 * (RFC 2920 §3.2: replies to a group may be sent together, in order).
 */
public final class SmtpConnection implements Runnable {
  private static final Logger LOG = Logger.getLogger(SmtpConnection.class);
  /**
   * RFC 5321 §4.5.3.1.4 allows 512 octets plus what the extensions add (SIZE, DSN's ORCPT of up to
   * 500 and ENVID of 100, AUTH=, SMTPUTF8 addresses); 2048 is Postfix's line_length_limit.
   */
  static final int MAX_COMMAND_LINE = 2048;

  /** Everything a session needs from the server. */
  public record Services(
      SmtpProtocol protocol,
      CommandParser parser,
      QueueWriter queue,
      KafkaReadiness readiness,
      IngressMetrics metrics,
      QueueIds queueIds,
      Duration commandTimeout,
      Duration dataTimeout,
      int maxBadCommands) {}

  private final Socket socket;
  private final SessionContext session;
  private final Services services;
  private final SmtpServer.Registry registry;
  private final ReentrantLock writeLock = new ReentrantLock();
  private OutputStream out;
  private SmtpInput in;
  private SessionState state = SessionState.CONNECTED;
  private Instant transactionStart;
  private int badCommands;
  /** Waiting for a command outside a transaction: shutdown may close the session now. */
  private volatile boolean idle;
  private volatile boolean closed;

  SmtpConnection(Socket socket, SessionContext session, Services services, SmtpServer.Registry registry) {
    this.socket = socket;
    this.session = session;
    this.services = services;
    this.registry = registry;
  }

  @Override
  public void run() {
    String client = session.clientAddress().getHostAddress();
    try (socket) {
      out = new BufferedOutputStream(socket.getOutputStream(), 4096);
      in = new SmtpInput(socket.getInputStream(), this::flushQuietly);
      socket.setSoTimeout((int) services.commandTimeout().toMillis());
      if (registry.draining()) {
        services.metrics().rejected("shutting-down");
        replyNow(Replies.SHUTTING_DOWN);
        return;
      }
      if (!services.readiness().isReady()) {
        services.metrics().rejected("queue-unavailable");
        replyNow(Replies.QUEUE_UNAVAILABLE);
        return;
      }
      reply(services.protocol().greeting());
      loop();
    } catch (SocketTimeoutException e) {
      services.metrics().rejected("timeout");
      LOG.debugf("session from [%s] timed out in state %s", client, state.getClass().getSimpleName());
      replyQuietly(Replies.TIMEOUT);
    } catch (IOException e) {
      if (!closed) {
        LOG.debugf("session from [%s] lost: %s", client, e.toString());
      }
    } catch (RuntimeException e) {
      LOG.errorf(e, "session from [%s] failed unexpectedly; closing it with 421. Nothing of its current"
          + " transaction was acknowledged", client);
      replyQuietly(new SmtpReply(421, "4.3.0", "Error: internal error, closing connection"));
    } finally {
      closed = true;
      registry.remove(this);
    }
  }

  private void loop() throws IOException {
    while (!closed) {
      idle = !(state instanceof SessionState.InTransaction);
      SmtpInput.Line line = in.readLine(MAX_COMMAND_LINE);
      idle = false;
      if (closed) {
        return;
      }
      Command command = switch (line) {
        case SmtpInput.Line.Eof e -> null;
        case SmtpInput.Line.TooLong t -> new Command.Malformed("", Replies.COMMAND_TOO_LONG);
        case SmtpInput.Line.Text(byte[] bytes) -> parse(bytes);
      };
      if (command == null) {
        return;
      }
      boolean wasInTransaction = state instanceof SessionState.InTransaction;
      Step step = services.protocol().handle(session, state, command);
      state = step.next();
      if (!wasInTransaction && state instanceof SessionState.InTransaction) {
        transactionStart = Instant.now();
      }
      if (step.reply() != null) {
        reply(step.reply());
        countErrors(step.reply());
      }
      switch (step.action()) {
        case Step.Action.Close c -> {
          flush();
          return;
        }
        case Step.Action.ReceiveData(Transaction tx) -> receiveData(tx);
        case Step.Action.Continue c -> {}
        case Step.Action.ReceiveChunk c -> throw new IllegalStateException("BDAT is not enabled");
        case Step.Action.StartTls s -> throw new IllegalStateException("STARTTLS is not enabled");
        case Step.Action.Authenticate a -> throw new IllegalStateException("AUTH is not enabled");
      }
      if (badCommands > services.maxBadCommands()) {
        services.metrics().rejected("too-many-errors");
        replyNow(Replies.TOO_MANY_ERRORS);
        return;
      }
      if (registry.draining() && !(state instanceof SessionState.InTransaction)) {
        replyNow(Replies.SHUTTING_DOWN);
        return;
      }
    }
  }

  private Command parse(byte[] bytes) {
    try {
      String text = StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes)).toString();
      return services.parser().parse(text);
    } catch (CharacterCodingException e) {
      return new Command.Malformed("", Replies.BAD_SYNTAX.withText("Error: command is not valid UTF-8"));
    }
  }

  /** Protocol errors count toward the cap; policy refusals (relay denied, too big) do not. */
  private void countErrors(SmtpReply reply) {
    if (reply.status() != null && reply.isPermanent() && reply.status().subject() == 5) {
      badCommands++;
    }
  }

  private void receiveData(Transaction tx) throws IOException {
    flush();
    socket.setSoTimeout((int) services.dataTimeout().toMillis());
    BodyBuffer body = new BodyBuffer(services.protocol().settings().maxMessageSize(), tx.declaredSize());
    DataReader reader = new DataReader(body);
    if (!in.readData(reader)) {
      closed = true; // the client went away mid-message: nothing was acknowledged
      return;
    }
    socket.setSoTimeout((int) services.commandTimeout().toMillis());
    Greeting greeting = ((SessionState.InTransaction) state).greeting();
    state = state.reset();
    switch (reader.result()) {
      case DataReader.Result.Rejected(SmtpReply why, String reason) -> {
        services.metrics().rejected(reason.replace(' ', '-'));
        reply(why);
      }
      case DataReader.Result.Complete(BodyBuffer complete) -> reply(finish(greeting, tx, complete));
    }
  }

  /** Adds the Received header and hands the message to the queue; the reply depends on Kafka's ack. */
  private SmtpReply finish(Greeting greeting, Transaction tx, BodyBuffer body) {
    String queueId = services.queueIds().next();
    Instant now = Instant.now();
    String protocol = ReceivedHeader.protocol(greeting.extended(), tx.smtputf8(), session.tls(), session.authenticated());
    String single = tx.recipients().size() == 1 ? tx.recipients().getFirst().address() : null;
    byte[] received = ReceivedHeader.build(greeting.name(), session.clientAddress(),
        services.protocol().settings().hostname(), protocol, queueId, single, ZonedDateTime.ofInstant(now, ZoneOffset.UTC));
    byte[] content = new byte[received.length + body.length()];
    System.arraycopy(received, 0, content, 0, received.length);
    System.arraycopy(body.array(), 0, content, received.length, body.length());
    return services.queue().write(session, greeting, tx, queueId,
        transactionStart == null ? now : transactionStart, now, content);
  }

  private void reply(SmtpReply reply) throws IOException {
    writeLock.lock();
    try {
      out.write(reply.toWire());
    } finally {
      writeLock.unlock();
    }
  }

  private void replyNow(SmtpReply reply) throws IOException {
    reply(reply);
    flush();
  }

  private void replyQuietly(SmtpReply reply) {
    try {
      replyNow(reply);
    } catch (IOException | RuntimeException ignored) {
      // the client is gone; nothing to tell it
    }
  }

  private void flush() throws IOException {
    writeLock.lock();
    try {
      out.flush();
    } finally {
      writeLock.unlock();
    }
  }

  private void flushQuietly() {
    try {
      flush();
    } catch (IOException e) {
      // The next read fails too and ends the session.
    }
  }

  /**
   * Shutdown: if the session is waiting for a command outside a transaction, tell it 421 and close
   * it. Returns true when it was closed.
   */
  boolean closeIfIdle(SmtpReply reply) {
    writeLock.lock();
    try {
      if (!idle || closed) {
        return false;
      }
      closeNow(reply);
      return true;
    } finally {
      writeLock.unlock();
    }
  }

  /** Shutdown after the grace period: close whatever the session is doing. */
  void forceClose(SmtpReply reply) {
    writeLock.lock();
    try {
      if (!closed) {
        closeNow(reply);
      }
    } finally {
      writeLock.unlock();
    }
  }

  private void closeNow(SmtpReply reply) {
    closed = true;
    try {
      if (out != null) {
        out.write(reply.toWire());
        out.flush();
      }
    } catch (IOException | RuntimeException ignored) {
      // best effort
    }
    try {
      socket.close();
    } catch (IOException ignored) {
      // already closed
    }
  }

  boolean inTransaction() {
    return state instanceof SessionState.InTransaction;
  }
}
