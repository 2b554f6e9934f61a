package dev.tip.core.internal.client;

import dev.tip.core.ClientStatistics;
import java.nio.ByteBuffer;

/**
 * What differs between the dialects on the voice path; the loops ({@link VoiceLoops.CaptureLoop},
 * {@link VoiceLoops.ReceiveLoop}, {@link VoiceLoops.PlayoutLoop}) are the same for all and call these. Each method is called
 * by one thread only, named with it, so a path keeps per-thread state without locks; state two
 * threads share (the speakers' buffers) is thread-safe by itself.
 */
interface VoicePath {

    /**
     * The receive buffer's size: larger than the largest datagram the path takes, so that an
     * oversized one is seen.
     *
     * @return bytes
     */
    int receiveBufferBytes();

    /**
     * Capture thread: turns a captured frame into the datagram to send.
     *
     * @param frame the frame's samples
     * @param frameNanos when the frame was due, by the client's clock
     * @param muted whether the user muted the microphone
     * @return the datagram, ready to send, or null to send nothing for this frame
     */
    ByteBuffer encode(short[] frame, long frameNanos, boolean muted);

    /**
     * Capture thread, after {@link #encode} and each send: the next datagram of the same frame (a
     * codec whose packets are shorter than the room's frame sends one or two per frame).
     *
     * @return the next datagram, or null when the frame is done
     */
    default ByteBuffer next() {
        return null;
    }

    /**
     * Receive thread: takes one datagram that is not the original's greeting.
     *
     * @param in the buffer, the datagram from index 0
     * @param length the datagram's length
     */
    void receive(ByteBuffer in, int length);

    /**
     * How many samples the playout loop asks {@link #mix} for at a time: a part of a frame where
     * the path can decide each part as late as the sink takes it, else a whole frame.
     *
     * @return samples per playout call, at most a frame
     */
    int playoutPart();

    /**
     * Playout thread: the next {@link #playoutPart()} samples to play.
     *
     * @param nowNanos the client's clock now
     * @param out where the samples go, from index 0; silence when nobody speaks
     * @param length {@link #playoutPart()}
     * @return how many speakers the samples hold (0 for silence)
     */
    int mix(long nowNanos, short[] out, int length);

    /**
     * Whether the playout loop runs without a sink: TIP/2 tells who speaks even then.
     *
     * @return true to run it anyway
     */
    boolean playsWithoutSink();

    /**
     * The counters with this path's own figures.
     *
     * @param counters the voice counters
     * @return a snapshot
     */
    ClientStatistics statistics(dev.tip.core.internal.VoiceCounters counters);
}
