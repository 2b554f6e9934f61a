package dev.tip.core.internal;

import dev.tip.core.ClientStatistics;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The client's voice counters. Thread-safe: each counter has one writer (the capture, receive or
 * playout thread); any thread reads a snapshot.
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
    /** TIP/2 datagrams dropped: malformed, wrong version, unknown type or sender. */
    public final AtomicLong rejected = new AtomicLong();
    /** TIP/2 control datagrams (HELLO_ACK and others) received. */
    public final AtomicLong control = new AtomicLong();
    /** UDP payload bytes of voice sent. */
    public final AtomicLong voiceBytes = new AtomicLong();
    /** The path voice takes now. */
    public volatile dev.tip.core.VoiceTransport transport = dev.tip.core.VoiceTransport.UDP;
    /** Changes of the path. */
    public final AtomicLong transportSwitches = new AtomicLong();
    /** Datagrams for the tunnel dropped oldest-first; read from the control connection's queue. */
    public volatile java.util.function.LongSupplier tunnelDropped = () -> 0;
    /** The codec sent in and its bitrate; set once voice starts. */
    public volatile String codec = "pcm";

    public volatile int bitrate;

    /**
     * Returns the counters of an original-dialect session now.
     *
     * @param queueDropped frames the playout queue dropped
     * @return a snapshot
     */
    public ClientStatistics snapshot(long queueDropped) {
        return new ClientStatistics(
                captured.get(),
                sent.get(),
                received.get(),
                played.get(),
                queueDropped + discarded.get(),
                silence.get(),
                -1,
                -1,
                0,
                rejected.get(),
                voiceBytes.get(),
                codec,
                bitrate,
                -1,
                transport,
                transportSwitches.get(),
                tunnelDropped.getAsLong(),
                0,
                0,
                0);
    }

    /**
     * Returns the counters of a TIP/2 session now.
     *
     * @param late packets the jitter buffers dropped as late
     * @param lost frames missing at their playout time
     * @param concealed frames concealed
     * @param delayNanos the largest current delay of the buffers, or -1
     * @param rebuilt lost packets the decoders rebuilt
     * @param lossReported the loss last reported, percent
     * @param lossProtection the protection the server asked for, percent
     * @return a snapshot
     */
    public ClientStatistics snapshot(
            long late, long lost, long concealed, long delayNanos, long rebuilt, int lossReported, int lossProtection) {
        return new ClientStatistics(
                captured.get(),
                sent.get(),
                received.get(),
                played.get(),
                discarded.get(),
                silence.get(),
                lost,
                late,
                concealed,
                rejected.get(),
                voiceBytes.get(),
                codec,
                bitrate,
                delayNanos < 0 ? -1 : delayNanos / 1_000_000,
                transport,
                transportSwitches.get(),
                tunnelDropped.getAsLong(),
                rebuilt,
                lossReported,
                lossProtection);
    }
}
