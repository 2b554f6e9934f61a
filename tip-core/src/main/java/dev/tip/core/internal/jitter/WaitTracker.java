package dev.tip.core.internal.jitter;

import dev.tip.core.audio.DelayEstimator;

/**
 * The buffer's waits on an underrun: when nothing is left to play the engine conceals and waits,
 * since the next packet may only be late. Tracks how long the current wait has lasted, corrects
 * the counters once it is known what the concealed frames stood for (frames that never came are
 * losses, a wait that ended in a new talk spurt was no wait), and decides which arrivals the
 * target must not learn from: those whose delay a long wait (a delay spike) absorbed. Not
 * thread-safe: confined to the engine.
 */
final class WaitTracker {

    /** A wait of this many frames or more is a delay spike, kept out of the target. */
    static final int SPIKE_WAIT_FRAMES = 3;

    private final PlayoutStats stats;
    private final DelayEstimator policy;
    private final long frameNanos;

    private boolean waiting;
    private int waitsThisUnderrun;
    private int underrunFrames;
    /** Whether a long wait (a spike) has ended yet: until then {@link #endedAt} means nothing. */
    private boolean spikeEnded;

    private long endedAt;

    /**
     * Creates a tracker that is not waiting.
     *
     * @param stats the counters it corrects
     * @param policy the target, to tell a delayed packet of the burst after a wait
     * @param frameNanos the duration of a frame
     */
    WaitTracker(PlayoutStats stats, DelayEstimator policy, long frameNanos) {
        this.stats = stats;
        this.policy = policy;
        this.frameNanos = frameNanos;
    }

    /**
     * Tells whether the buffer is waiting on an underrun.
     *
     * @return true while waiting
     */
    boolean waiting() {
        return waiting;
    }

    /** Records one frame of concealment played while waiting. */
    void onWaitFrame() {
        waiting = true;
        // waiting inserts a frame into the time line: counted apart from the adjustments
        stats.waits++;
        waitsThisUnderrun++;
        underrunFrames++;
    }

    /**
     * Records a received frame played: any wait is over, and it was a spike if it lasted
     * {@link #SPIKE_WAIT_FRAMES} or more.
     *
     * @param nowNanos the time of the playout call
     */
    void onFramePlayed(long nowNanos) {
        if (waiting) {
            if (underrunFrames >= SPIKE_WAIT_FRAMES) {
                endedAt = nowNanos;
                spikeEnded = true;
            }
            waiting = false;
        }
        waitsThisUnderrun = 0;
        underrunFrames = 0;
    }

    /** Stops waiting without a frame played (the stream paused: its next frame starts afresh). */
    void abandon() {
        waiting = false;
    }

    /**
     * Records that playout resumes {@code skipped} sequence numbers after the one waited for: the
     * frames concealed while waiting stood for frames that never came, losses rather than waits.
     *
     * @param skipped sequence numbers passed over, at least 1
     */
    void onResumedAfter(long skipped) {
        if (waiting) {
            int covered = (int) Math.min(waitsThisUnderrun, skipped);
            stats.waits -= covered;
            waitsThisUnderrun -= covered;
        }
    }

    /**
     * Records that playout resumes with a new talk spurt: the frames concealed while waiting
     * followed the end of a spurt, no packet was late, so they count neither as concealment nor as
     * waits.
     */
    void onNewSpurt() {
        if (waiting) {
            stats.concealed -= waitsThisUnderrun;
            stats.waits -= waitsThisUnderrun;
            waiting = false;
            waitsThisUnderrun = 0;
            underrunFrames = 0;
        }
    }

    /**
     * Tells whether a packet's delay was absorbed by waiting on an underrun (a delay spike): it
     * arrived during a long wait (or one that stopped playout), or in the burst just after a long
     * wait with a delay above the target.
     *
     * @param arrivalNanos its arrival
     * @param relativeNanos its relative delay
     * @param playing whether the buffer is playing a talk spurt
     * @return true to keep the packet out of the target
     */
    boolean absorbed(long arrivalNanos, long relativeNanos, boolean playing) {
        if (waiting) {
            // a short wait is the tail of the delay distribution, which the target must learn;
            // a long one (the buffer ran dry for a while) is a spike, which waiting absorbs
            return underrunFrames >= SPIKE_WAIT_FRAMES || !playing;
        }
        // no sentinel time for "never": arrival - MIN_VALUE overflows negative and would absorb
        // every late arrival until the first spike ends
        return spikeEnded && arrivalNanos - endedAt < 2 * frameNanos && relativeNanos > policy.targetNanos();
    }
}
