package dev.tip.core.internal;

import dev.tip.core.ClientStatistics;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The client's voice counters. Thread-safe: each counter has one writer (the capture, receive or
 * playout thread); any thread reads a {@link #snapshot(long)}.
 */
public final class VoiceCounters {
    /** Frames read from the source. */
    public final AtomicLong captured = new AtomicLong();
    /** Datagrams sent. */
    public final AtomicLong sent = new AtomicLong();
    /** Voice datagrams received. */
    public final AtomicLong received = new AtomicLong();
    /** Frames written to the sink from the network. */
    public final AtomicLong played = new AtomicLong();
    /** Frames dropped when there is no sink. */
    public final AtomicLong discarded = new AtomicLong();
    /** Silence frames written to the sink. */
    public final AtomicLong silence = new AtomicLong();
    /** Join probes (1024 {@code 'a'} bytes) received and ignored. */
    public final AtomicLong probes = new AtomicLong();

    /**
     * Returns the counters now.
     *
     * @param queueDropped frames the playout queue dropped
     * @return a snapshot
     */
    public ClientStatistics snapshot(long queueDropped) {
        return new ClientStatistics(captured.get(), sent.get(), received.get(), played.get(),
                queueDropped + discarded.get(), silence.get(), -1);
    }
}
