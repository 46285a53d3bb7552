package io.sluice.ingress.smtp;

import io.sluice.ingress.IngressMetrics;
import io.sluice.ingress.publish.KafkaReadiness;
import io.sluice.ingress.publish.QueueWriter;
import io.sluice.schema.QueueIds;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSocket;
import org.jboss.logging.Logger;

/**
 * One SMTP session on its own virtual thread: reads commands, lets {@link SmtpProtocol} decide,
 * writes replies, and performs the I/O actions the protocol asks for (DATA, BDAT, STARTTLS, AUTH).
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
  /** A refused BDAT chunk up to this much over the SIZE limit is still read, to stay in step. */
  static final long BDAT_SLACK = 1024 * 1024;

  /** What a session needs from the server, shared by all sessions. */
  public record Services(
      CommandParser parser,
      QueueWriter queue,
      KafkaReadiness readiness,
      IngressMetrics metrics,
      QueueIds queueIds,
      SaslExchange sasl,
      SmtpTls tls,
      io.sluice.ingress.policy.MemoryBudget memory,
      io.sluice.ingress.policy.AuthThrottle authThrottle,
      Duration commandTimeout,
      Duration dataTimeout,
      Duration messageTimeout,
      Duration tlsHandshakeTimeout,
      int maxBadCommands,
      int maxAuthFailures) {}

  /** What differs between listeners; {@code proxyProtocol}: a PROXY v2 header comes first. */
  public record Listener(
      ListenerKind kind, SmtpProtocol protocol, boolean implicitTls, boolean addMissingHeaders, boolean proxyProtocol) {}

  private final Services services;
  private final Listener listener;
  private final SessionContext session;
  private final SmtpServer.Registry registry;
  private final ReentrantLock writeLock = new ReentrantLock();
  /** Replaced by the TLS socket after STARTTLS; the watchdog reads it from its own thread. */
  private volatile Socket socket;
  private OutputStream out;
  private SmtpInput in;
  private SessionState state = SessionState.CONNECTED;
  private Instant transactionStart;
  /** BDAT chunks of the current transaction, or null. */
  private ChunkReader chunks;
  private int badCommands;
  private int authFailures;
  /** Waiting for a command outside a transaction: shutdown may close the session now. */
  private volatile boolean idle;
  private volatile boolean closed;
  /** Set when we end the session while the client may still be sending: see {@link #closeAfter}. */
  private boolean lingerOnClose;
  /** System.nanoTime() when a flush to the client started and has not finished; 0 when not writing. */
  private volatile long writingSince;
  /**
   * On a plain socket, the System.nanoTime() by which the current read must return; {@link #NOT_READING},
   * or {@link #READ_TIMED_OUT} once the watchdog has ended the read.
   */
  private final AtomicLong readDeadline = new AtomicLong(NOT_READING);
  private static final long NOT_READING = Long.MIN_VALUE;
  private static final long READ_TIMED_OUT = Long.MIN_VALUE + 1;
  /** Bounds, in all, on what a session we ended may still send before we close (see {@link #closeAfter}). */
  private static final long LINGER_NANOS = TimeUnit.SECONDS.toNanos(2);
  private static final long LINGER_BYTES = 1 << 20;

  /**
   * Plain sockets block without a socket timeout: {@link SmtpServer}'s watchdog calls
   * {@link #abortIfReadOverdue}. A timed read on a virtual thread costs two wake-ups of the JDK's
   * timer thread (the timeout is scheduled, then cancelled), several per message.
   */
  private final SmtpInput.ReadTimeout watchdogReadTimeout = new SmtpInput.ReadTimeout() {
    @Override
    public void arm(int millis) {
      readDeadline.set(System.nanoTime() + millis * 1_000_000L);
    }

    @Override
    public void disarm() throws SocketTimeoutException {
      if (readDeadline.getAndSet(NOT_READING) == READ_TIMED_OUT) {
        throw new SocketTimeoutException("no input within the timeout");
      }
    }
  };

  /** TLS: the socket's own read timeout, since shutting the input under an SSLSocket would end TLS too. */
  private final SmtpInput.ReadTimeout socketReadTimeout = new SmtpInput.ReadTimeout() {
    @Override
    public void arm(int millis) {
      setReadTimeout(millis);
    }

    @Override
    public void disarm() {}
  };

  SmtpConnection(Socket socket, SessionContext session, Services services, Listener listener, SmtpServer.Registry registry) {
    this.socket = socket;
    this.session = session;
    this.services = services;
    this.listener = listener;
    this.registry = registry;
  }

  private SmtpProtocol protocol() {
    return listener.protocol();
  }

  @Override
  public void run() {
    String client = session.clientAddress().getHostAddress();
    try {
      if (listener.implicitTls()) {
        startTls(); // RFC 8314 §3.3: TLS first, then the greeting
      } else {
        useStreams();
      }
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
      reply(protocol().greeting());
      loop();
    } catch (SSLException e) {
      services.metrics().rejected("tls-handshake");
      LOG.debugf("TLS with [%s] failed: %s", client, e.toString());
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
      if (chunks != null) {
        chunks.release();
      }
      if (lingerOnClose) {
        drainInput();
      }
      closeSocket();
      registry.remove(this);
    }
  }

  private void useStreams() throws IOException {
    // Small: replies are short, and 10,000 idle sessions each hold one.
    out = new BufferedOutputStream(socket.getOutputStream(), 1024);
    SmtpInput.ReadTimeout timeout = socketReadTimeout;
    if (!(socket instanceof SSLSocket)) {
      socket.setSoTimeout(0); // reading a PROXY header may have set one
      timeout = watchdogReadTimeout;
    }
    in = new SmtpInput(socket.getInputStream(), this::flushQuietly, timeout);
  }

  private void setReadTimeout(int millis) {
    try {
      socket.setSoTimeout(millis);
    } catch (SocketException e) {
      // the socket is closed; the read that follows fails and ends the session
    }
  }

  private SmtpInput.Deadline commandDeadline() {
    return SmtpInput.Deadline.of(services.commandTimeout(), services.commandTimeout());
  }

  private SmtpInput.Deadline messageDeadline() {
    return SmtpInput.Deadline.of(services.dataTimeout(), services.messageTimeout());
  }

  private void loop() throws IOException {
    while (!closed) {
      idle = !(state instanceof SessionState.InTransaction);
      SmtpInput.Line line = in.readLine(MAX_COMMAND_LINE, commandDeadline());
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
      if (command instanceof Command.Malformed(String verb, SmtpReply why) && verb.equals("BDAT")) {
        // Without a size we cannot tell where the chunk ends: everything after would be misread.
        services.metrics().rejected("bdat-syntax");
        closeAfter(Replies.BDAT_SYNTAX_LOST);
        return;
      }
      boolean wasInTransaction = state instanceof SessionState.InTransaction;
      Step step = protocol().handle(session, state, command);
      state = step.next();
      if (!wasInTransaction && state instanceof SessionState.InTransaction) {
        transactionStart = Instant.now();
      }
      if (step.reply() != null) {
        reply(step.reply());
        count(step.reply());
      }
      switch (step.action()) {
        case Step.Action.Close c -> {
          flush();
          return;
        }
        case Step.Action.Continue c -> {}
        case Step.Action.ReceiveData(Transaction tx) -> receiveData(tx);
        case Step.Action.ReceiveChunk(Transaction tx, long size, boolean last) -> receiveChunk(tx, size, last);
        case Step.Action.DiscardChunk(long size) -> {
          if (!in.readExactly(size, (b, o, n) -> {}, messageDeadline())) {
            return;
          }
        }
        case Step.Action.StartTls s -> {
          flush();
          startTls();
          session.tlsStarted();
        }
        case Step.Action.Authenticate(String mechanism, String initial) -> authenticate(mechanism, initial);
      }
      if (!(state instanceof SessionState.InTransaction) && chunks != null) {
        chunks.release(); // RSET, EHLO or STARTTLS dropped a chunked transaction
        chunks = null;
      }
      if (closed) {
        return;
      }
      if (badCommands > services.maxBadCommands()) {
        services.metrics().rejected("too-many-errors");
        closeAfter(Replies.TOO_MANY_ERRORS);
        return;
      }
      if (authFailures >= services.maxAuthFailures()) {
        services.metrics().rejected("auth-failures");
        closeAfter(Replies.TOO_MANY_AUTH_FAILURES);
        return;
      }
      if (registry.draining() && !(state instanceof SessionState.InTransaction)) {
        replyNow(Replies.SHUTTING_DOWN);
        return;
      }
    }
  }

  private Command parse(byte[] bytes) {
    if (ascii(bytes)) {
      // Nearly every command line; ASCII is valid UTF-8, so the strict decoder below has nothing to check.
      return services.parser().parse(new String(bytes, StandardCharsets.US_ASCII));
    }
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

  private static boolean ascii(byte[] bytes) {
    for (byte b : bytes) {
      if (b < 0) {
        return false;
      }
    }
    return true;
  }

  /** Protocol errors (5.5.x) count toward the cap; policy refusals (relay denied, too big) do not. */
  private void count(SmtpReply reply) {
    if (reply.status() != null && reply.isPermanent() && reply.status().subject() == 5) {
      badCommands++;
    }
    if (reply.code() == 554 && reply.status() != null && reply.status().subject() == 7) {
      services.metrics().rejected("relay-denied");
    }
  }

  /**
   * STARTTLS (RFC 3207 §4.2) or implicit TLS. Input that arrived before the handshake is thrown
   * away: commands pipelined behind STARTTLS in clear text must never run inside the TLS session
   * (CVE-2011-0411).
   */
  private void startTls() throws IOException {
    if (in != null) {
      int dropped = in.discardBuffered();
      if (dropped > 0) {
        services.metrics().rejected("starttls-pipelined-input");
        LOG.debugf("dropped %d octets sent in clear after STARTTLS by [%s]", dropped,
            session.clientAddress().getHostAddress());
      }
    }
    socket = services.tls().handshake(socket, services.tlsHandshakeTimeout());
    useStreams();
  }

  private void authenticate(String mechanism, String initial) throws IOException {
    if (services.authThrottle().blocked(session.clientAddress())) {
      services.metrics().rejected("auth-throttled");
      reply(Replies.AUTH_THROTTLED);
      return;
    }
    SaslExchange.Channel channel = new SaslExchange.Channel() {
      @Override
      public void challenge(String base64) throws IOException {
        reply(SaslExchange.challengeReply(base64));
      }

      @Override
      public SmtpInput.Line readLine(int max) throws IOException {
        return in.readLine(max, commandDeadline());
      }
    };
    switch (services.sasl().run(mechanism, initial, channel)) {
      case SaslExchange.Outcome.Success(String user) -> {
        session.authenticatedAs(user);
        reply(Replies.AUTH_OK);
      }
      case SaslExchange.Outcome.Failure(SmtpReply why) -> {
        authFailures++;
        services.authThrottle().failed(session.clientAddress());
        services.metrics().rejected("auth-failed");
        LOG.infof("AUTH %s from [%s] failed (%d of %d allowed)", mechanism, session.clientAddress().getHostAddress(),
            authFailures, services.maxAuthFailures());
        reply(why);
      }
      case SaslExchange.Outcome.Aborted(SmtpReply why) -> {
        reply(why);
        count(why);
      }
      case SaslExchange.Outcome.Disconnected d -> closed = true;
    }
  }

  private void receiveData(Transaction tx) throws IOException {
    flush();
    BodyBuffer body = new BodyBuffer(protocol().settings().maxMessageSize(), tx.declaredSize(), services.memory());
    try {
      DataReader reader = new DataReader(body);
      if (!in.readData(reader, messageDeadline())) {
        closed = true; // the client went away mid-message: nothing was acknowledged
        return;
      }
      finishTransaction(tx, reader.result());
    } finally {
      body.release();
    }
  }

  private void receiveChunk(Transaction tx, long size, boolean last) throws IOException {
    if (size > protocol().settings().maxMessageSize() + BDAT_SLACK) {
      // Reading (and throwing away) an absurd chunk would tie the session up for nothing; the
      // client cannot be kept in step without it, so refuse and close.
      services.metrics().rejected("message-too-big");
      closeAfter(Replies.MESSAGE_TOO_BIG.withText("Error: BDAT chunk larger than the message size limit; closing"));
      closed = true;
      return;
    }
    if (chunks == null) {
      chunks = new ChunkReader(new BodyBuffer(protocol().settings().maxMessageSize(), tx.declaredSize(), services.memory()));
    }
    ChunkReader reader = chunks;
    boolean done = true;
    try {
      if (!in.readExactly(size, reader::accept, messageDeadline())) {
        closed = true;
        return;
      }
      if (reader.overflowed()) {
        // RFC 3030 §2: refuse the chunk that passes the limit and drop the transaction at once.
        services.metrics().rejected("message-too-big");
        state = state.reset();
        reply(Replies.MESSAGE_TOO_BIG);
        return;
      }
      if (!last) {
        done = false;
        reply(Replies.CHUNK_OK.withText("Ok: " + size + " octets received"));
        return;
      }
      finishTransaction(tx, reader.finish());
    } finally {
      if (done) {
        reader.release();
        chunks = null;
      }
    }
  }

  private void finishTransaction(Transaction tx, DataReader.Result result) throws IOException {
    Greeting greeting = ((SessionState.InTransaction) state).greeting();
    state = state.reset();
    switch (result) {
      case DataReader.Result.Rejected(SmtpReply why, String reason) -> {
        services.metrics().rejected(reason.replace(' ', '-').toLowerCase(java.util.Locale.ROOT));
        reply(why);
      }
      case DataReader.Result.Complete(BodyBuffer body) -> reply(queue(greeting, tx, body));
    }
  }

  /** Adds the trace header (and on submission, a missing Date/Message-ID), then writes to Kafka. */
  private SmtpReply queue(Greeting greeting, Transaction tx, BodyBuffer body) {
    String queueId = services.queueIds().next();
    Instant now = Instant.now();
    ZonedDateTime utc = ZonedDateTime.ofInstant(now, ZoneOffset.UTC);
    String hostname = protocol().settings().hostname();
    String with = ReceivedHeader.protocol(greeting.extended(), tx.smtputf8(), session.tls(), session.authenticated());
    String single = tx.recipients().size() == 1 ? tx.recipients().getFirst().address() : null;
    byte[] received = ReceivedHeader.build(greeting.name(), session.clientAddress(), hostname, with, queueId, single, utc);
    byte[] added = listener.addMissingHeaders()
        ? SubmissionHeaders.missing(java.util.Arrays.copyOf(body.array(), body.length()), queueId, hostname, utc)
        : new byte[0];
    byte[] content = new byte[received.length + added.length + body.length()];
    System.arraycopy(received, 0, content, 0, received.length);
    System.arraycopy(added, 0, content, received.length, added.length);
    System.arraycopy(body.array(), 0, content, received.length + added.length, body.length());
    return services.queue().write(session, greeting, tx, queueId,
        transactionStart == null ? now : transactionStart, now, content);
  }

  private void reply(SmtpReply reply) throws IOException {
    writeLock.lock();
    try {
      // The buffered stream writes to the socket by itself when full; watch that write too.
      writingSince = System.nanoTime();
      out.write(reply.toWire());
    } finally {
      writingSince = 0;
      writeLock.unlock();
    }
  }

  private void replyNow(SmtpReply reply) throws IOException {
    reply(reply);
    flush();
  }

  /**
   * The session's last reply, when we end it in the middle of what the client sends (too many
   * errors, a lost BDAT, an absurd chunk). Closing a socket with unread input makes the kernel
   * answer with RST, which can destroy the 421 in flight before the client reads it; so the finally
   * block first sends FIN and reads what is still coming, within {@link #LINGER_BYTES} and
   * {@link #LINGER_NANOS} in all.
   */
  private void closeAfter(SmtpReply reply) throws IOException {
    replyNow(reply);
    lingerOnClose = true;
  }

  private void drainInput() {
    try {
      if (!(socket instanceof SSLSocket)) {
        socket.shutdownOutput(); // FIN after the reply: the client sees the end and closes
      }
      var raw = socket.getInputStream();
      byte[] discard = new byte[8192];
      long deadline = System.nanoTime() + LINGER_NANOS;
      // The time bound is for the whole drain: a client trickling bytes must not keep it going.
      for (long left = LINGER_BYTES; left > 0; ) {
        long wait = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
        if (wait <= 0) {
          return;
        }
        socket.setSoTimeout((int) wait);
        int n = raw.read(discard);
        if (n < 0) {
          return;
        }
        left -= n;
      }
    } catch (IOException | RuntimeException e) {
      // timed out, reset or closed: the socket is closed next either way
    }
  }

  private void replyQuietly(SmtpReply reply) {
    try {
      if (out != null) {
        replyNow(reply);
      }
    } catch (IOException | RuntimeException ignored) {
      // the client is gone; nothing to tell it
    }
  }

  private void flush() throws IOException {
    writeLock.lock();
    try {
      writingSince = System.nanoTime();
      out.flush();
    } finally {
      writingSince = 0;
      writeLock.unlock();
    }
  }

  /**
   * Sockets have no write timeout: a client that pipelines commands but never reads the replies
   * would block our write for ever once its receive window is full. {@link SmtpServer}'s watchdog
   * calls this; it closes the socket without taking the write lock (the stuck writer holds it), which
   * makes the blocked write fail and the session end.
   */
  boolean abortIfWriteStuck(long now, long limitNanos) {
    long since = writingSince;
    if (since != 0 && now - since > limitNanos && !closed) {
      closed = true;
      services.metrics().rejected("write-timeout");
      closeSocket();
      return true;
    }
    return false;
  }

  /**
   * Called by {@link SmtpServer}'s watchdog: when a plain-socket read has passed its deadline, shuts
   * the socket's input, which wakes the read with end of input; {@code disarm} turns that into a
   * timeout, and the session answers 421 on the output, which stays open.
   */
  boolean abortIfReadOverdue(long now) {
    long deadline = readDeadline.get();
    if (deadline == NOT_READING || deadline == READ_TIMED_OUT || now - deadline < 0 || closed) {
      return false;
    }
    if (!readDeadline.compareAndSet(deadline, READ_TIMED_OUT)) {
      return false; // the read returned meanwhile
    }
    try {
      socket.shutdownInput();
    } catch (IOException e) {
      closeSocket();
    }
    return true;
  }

  private void flushQuietly() {
    try {
      flush();
    } catch (IOException e) {
      // The next read fails too and ends the session.
    }
  }

  private void closeSocket() {
    try {
      socket.close();
    } catch (IOException ignored) {
      // already closed
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
    closeSocket();
  }
}
