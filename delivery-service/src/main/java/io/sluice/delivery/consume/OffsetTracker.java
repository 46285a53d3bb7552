package io.sluice.delivery.consume;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.TreeMap;
import org.apache.kafka.common.TopicPartition;

/**
 * Out-of-order completion, in-order commits (contract 2). Records of a partition are dispatched in
 * offset order and may finish in any order; the committable offset of a partition is one past the
 * longest run of finished records from the start, so a slow record holds back the commit (never the
 * processing) of the records behind it. A record that finished without its outcome written
 * ({@code success=false}, only at shutdown) stops the run for good: it is delivered again by the
 * partition's next owner.
 *
 * <p>Thread-safe: workers finish records while the consumer thread dispatches and commits.
 */
public final class OffsetTracker {
  private enum State { IN_FLIGHT, DONE, FAILED }

  private final Map<TopicPartition, TreeMap<Long, State>> partitions = new HashMap<>();
  private final Map<TopicPartition, Map<Long, Integer>> sizes = new HashMap<>();
  private int inFlight;
  private long inFlightBytes;
  /** Threads in {@link #awaitIdle}: they are woken by every completion. */
  private int idleWaiters;
  /** While the consumer waits in {@link #awaitAtMost}, its marks; -1 when nobody waits. */
  private int wakeAtRecords = -1;
  private long wakeAtBytes;

  public synchronized void dispatched(TopicPartition tp, long offset) {
    dispatched(tp, offset, 0);
  }

  /** @param bytes the record's size, counted until it finishes (bounds the memory of work in flight) */
  public synchronized void dispatched(TopicPartition tp, long offset, int bytes) {
    partitions.computeIfAbsent(tp, k -> new TreeMap<>()).put(offset, State.IN_FLIGHT);
    inFlight++;
    if (bytes > 0) {
      sizes.computeIfAbsent(tp, k -> new HashMap<>()).put(offset, bytes);
      inFlightBytes += bytes;
    }
  }

  public synchronized long inFlightBytes() {
    return inFlightBytes;
  }

  private void release(TopicPartition tp, long offset) {
    Map<Long, Integer> s = sizes.get(tp);
    Integer bytes = s == null ? null : s.remove(offset);
    if (bytes != null) {
      inFlightBytes -= bytes;
    }
  }

  /** A record that needs no work (skipped, or dead-lettered synchronously) counts as done at once. */
  public synchronized void done(TopicPartition tp, long offset) {
    partitions.computeIfAbsent(tp, k -> new TreeMap<>()).put(offset, State.DONE);
  }

  /** Forgets a record whose dispatch failed before a worker took it; it is read and dispatched again. */
  public synchronized void abandon(TopicPartition tp, long offset) {
    TreeMap<Long, State> p = partitions.get(tp);
    State state = p == null ? null : p.remove(offset);
    if (state == State.IN_FLIGHT) {
      inFlight--;
      release(tp, offset);
      notifyAll();
    }
  }

  public synchronized void finished(TopicPartition tp, long offset, boolean success) {
    TreeMap<Long, State> p = partitions.get(tp);
    if (p == null || p.get(offset) != State.IN_FLIGHT) {
      return; // the partition was revoked meanwhile; its new owner delivers the record again
    }
    p.put(offset, success ? State.DONE : State.FAILED);
    inFlight--;
    release(tp, offset);
    // Thousands of records finish every second; wake a waiter only when what it waits for is true.
    if (idleWaiters > 0 || wakeAtRecords >= 0 && inFlight <= wakeAtRecords && inFlightBytes <= wakeAtBytes) {
      notifyAll();
    }
  }

  /**
   * Waits until at most {@code records} records and {@code bytes} bytes are in flight, or the time
   * is up; one waiter at a time (the consumer thread).
   *
   * @return whether they are
   */
  public synchronized boolean awaitAtMost(int records, long bytes, long timeoutMillis) throws InterruptedException {
    long deadline = System.nanoTime() + timeoutMillis * 1_000_000;
    wakeAtRecords = records;
    wakeAtBytes = bytes;
    try {
      while (inFlight > records || inFlightBytes > bytes) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return false;
        }
        wait(Math.max(1, left / 1_000_000));
      }
      return true;
    } finally {
      wakeAtRecords = -1;
    }
  }

  /** Removes the finished run at the head of each partition and returns the offsets to commit. */
  public synchronized Map<TopicPartition, Long> drainCommittable() {
    Map<TopicPartition, Long> out = new HashMap<>();
    for (Map.Entry<TopicPartition, TreeMap<Long, State>> e : partitions.entrySet()) {
      OptionalLong next = drain(e.getValue());
      if (next.isPresent()) {
        out.put(e.getKey(), next.getAsLong());
      }
    }
    return out;
  }

  private static OptionalLong drain(TreeMap<Long, State> p) {
    long next = -1;
    Iterator<Map.Entry<Long, State>> it = p.entrySet().iterator();
    while (it.hasNext()) {
      Map.Entry<Long, State> head = it.next();
      if (head.getValue() != State.DONE) {
        break;
      }
      next = head.getKey() + 1;
      it.remove();
    }
    return next < 0 ? OptionalLong.empty() : OptionalLong.of(next);
  }

  public synchronized int inFlight() {
    return inFlight;
  }

  public synchronized int inFlight(TopicPartition tp) {
    TreeMap<Long, State> p = partitions.get(tp);
    return p == null ? 0 : (int) p.values().stream().filter(s -> s == State.IN_FLIGHT).count();
  }

  /**
   * Waits until none of {@code tps} has a record in flight, or the time is up.
   *
   * @return how many records are still in flight in them
   */
  public synchronized int awaitIdle(Iterable<TopicPartition> tps, long timeoutMillis) throws InterruptedException {
    long deadline = System.currentTimeMillis() + timeoutMillis;
    idleWaiters++;
    try {
      while (true) {
        int left = 0;
        for (TopicPartition tp : tps) {
          left += inFlight(tp);
        }
        long wait = deadline - System.currentTimeMillis();
        if (left == 0 || wait <= 0) {
          return left;
        }
        wait(Math.min(wait, 200));
      }
    } finally {
      idleWaiters--;
    }
  }

  /** Forgets partitions (revoked or lost); records still in flight in them no longer count. */
  public synchronized void forget(Iterable<TopicPartition> tps) {
    List<TopicPartition> list = new ArrayList<>();
    tps.forEach(list::add);
    for (TopicPartition tp : list) {
      TreeMap<Long, State> p = partitions.remove(tp);
      if (p != null) {
        inFlight -= (int) p.values().stream().filter(s -> s == State.IN_FLIGHT).count();
      }
      Map<Long, Integer> s = sizes.remove(tp);
      if (s != null) {
        inFlightBytes -= s.values().stream().mapToLong(Integer::longValue).sum();
      }
    }
    notifyAll();
  }
}
