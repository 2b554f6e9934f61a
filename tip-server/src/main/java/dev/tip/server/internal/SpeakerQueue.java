package dev.tip.server.internal;

/**
 * One speaker's frames waiting for the server's mix: a few decoded frames in arrival order, so
 * that the speaker's own clock and the network's jitter do not chop the mix. The mix takes one
 * frame per tick ({@link #pull}); a speaker starts contributing once {@link #PREFILL} frames
 * wait, or its first frame has waited {@link #PREFILL} ticks (a short burst still plays), and
 * stops when its queue has been dry for {@link #DRY_TICKS} ticks, so a speaker that stops
 * contributes nothing once it drains, and one frame that comes just late costs one frame only.
 *
 * <p>Drops, reported to the caller to count: a frame whose sequence number is not after the last
 * one accepted (late, reordered or duplicated; a jump back of more than {@link #LATE_WINDOW} is a
 * restarted sender and accepted), and the oldest frame when a new one finds the queue full
 * (overflow: a sender faster than the server's clock, or a burst), which keeps the delay bounded.
 *
 * <p>Threading: confined to the relay thread (made on any thread before it is handed over).
 * Allocates only in its constructor.
 */
final class SpeakerQueue {

    /** Frames held at most. */
    static final int CAPACITY = 4;
    /** Frames (or ticks of waiting) before a speaker starts contributing. */
    static final int PREFILL = 2;
    /**
     * Ticks a playing speaker may find its queue empty before it stops: a frame that comes just
     * after its tick (jitter at the tick's edge, a codec's packets not aligned to the mix's
     * frames) then leaves one frame out instead of a new prefill.
     */
    static final int DRY_TICKS = 2;
    /** How far back (in sequence numbers) a frame counts as late rather than as a restart. */
    static final int LATE_WINDOW = 256;

    /** {@link #push}: accepted. */
    static final int ACCEPTED = 0;
    /** {@link #push}: accepted, and the oldest frame was dropped to make room. */
    static final int ACCEPTED_DROPPED_OLDEST = 1;
    /** {@link #push}: dropped, it came too late. */
    static final int LATE = 2;

    private final short[][] frames;
    private int head;
    private int size;
    private boolean any;
    private int lastSequence;
    private boolean playing;
    private int waited;
    private int dry;

    /**
     * Creates an empty queue.
     *
     * @param frameLength samples per frame
     */
    SpeakerQueue(int frameLength) {
        if (frameLength <= 0) {
            throw new IllegalArgumentException("frameLength must be positive: " + frameLength);
        }
        frames = new short[CAPACITY][frameLength];
    }

    /** Frames waiting now. */
    int size() {
        return size;
    }

    /** Whether the speaker contributed on the last {@link #pull} (or is between two frames of a spurt). */
    boolean playing() {
        return playing;
    }

    /**
     * Copies a frame into the queue.
     *
     * @param sequence its 16-bit sequence number
     * @param frame its samples (as many as the queue's frame length)
     * @return {@link #ACCEPTED}, {@link #ACCEPTED_DROPPED_OLDEST} or {@link #LATE}
     */
    int push(int sequence, short[] frame) {
        int seq = sequence & 0xFFFF;
        if (any) {
            int ahead = (seq - lastSequence) & 0xFFFF;
            if (ahead == 0 || ahead > 0x10000 - LATE_WINDOW) {
                return LATE;
            }
        }
        any = true;
        lastSequence = seq;
        int result = ACCEPTED;
        if (size == CAPACITY) {
            head = (head + 1) % CAPACITY;
            size--;
            result = ACCEPTED_DROPPED_OLDEST;
        }
        System.arraycopy(frame, 0, frames[(head + size) % CAPACITY], 0, frame.length);
        size++;
        return result;
    }

    /**
     * This tick's frame, if the speaker contributes to it.
     *
     * @return the frame (valid until the next {@link #push}), or null
     */
    short[] pull() {
        if (!playing) {
            if (size == 0) {
                waited = 0;
                return null;
            }
            if (size < PREFILL && ++waited < PREFILL) {
                return null;
            }
            playing = true;
        }
        if (size == 0) {
            if (++dry > DRY_TICKS) {
                playing = false;
                waited = 0;
                dry = 0;
            }
            return null;
        }
        dry = 0;
        short[] f = frames[head];
        head = (head + 1) % CAPACITY;
        size--;
        return f;
    }
}
