package dev.tip.core.internal.jitter;

import dev.tip.core.audio.DelayEstimator;
import dev.tip.core.voice.AudioFormat;

/**
 * The playout side: for each playout call, decides what fills the {@link SampleFifo} from the
 * {@link SlotRing}, and steers the playout offset to the target of the {@link DelayEstimator}.
 * Starting a talk spurt waits (with silence) until its first frame reaches the target offset;
 * then each frame plays in turn, a missing one is concealed, missing ones whose time does not exist
 * are skipped, a frame that waited longer than the maximum delay is dropped, and an underrun is
 * concealed while waiting for the late packet. Between calls the delay is steered by cutting or
 * repeating a few milliseconds at a time, within a budget of playing time. Allocates nothing. Not
 * thread-safe: confined to the engine.
 */
final class PlayoutScheduler {

    private final int channels;
    private final int spf;
    private final int frameLength;
    private final int sampleRate;
    private final double nanosPerSample;
    private final long frameNanos;
    private final long maxDelayNanos;
    private final int maxEdit;
    private final long deadbandNanos;
    private final long fastGrowNanos;
    private final int maxQuietEdit;
    private final double allowance;
    private final double budgetShare;

    private final SlotRing ring;
    private final SampleFifo fifo;
    private final Timeline timeline;
    private final PlayoutStats stats;
    private final WaitTracker waits;
    private final DelayEstimator policy;
    private final HeardDelay heard;

    private double budgetSamples;
    private boolean playing;
    private boolean streamPlayed;
    private int holdCredit;

    /**
     * Creates the playout side of an engine.
     *
     * @param format the PCM format
     * @param maxDelayNanos the largest buffering delay ever kept
     * @param tuning the controller's constants
     * @param ring the frame store
     * @param fifo the output samples
     * @param timeline the stream's time line
     * @param stats the counters
     * @param waits the underrun waits
     * @param policy decides the target offset
     * @param heard follows each frame's first sample through the FIFO
     */
    PlayoutScheduler(
            AudioFormat format,
            long maxDelayNanos,
            PlayoutEngine.Tuning tuning,
            SlotRing ring,
            SampleFifo fifo,
            Timeline timeline,
            PlayoutStats stats,
            WaitTracker waits,
            DelayEstimator policy,
            HeardDelay heard) {
        this.channels = format.channels();
        this.spf = format.samplesPerFrame();
        this.frameLength = format.frameLength();
        this.sampleRate = format.sampleRate();
        this.nanosPerSample = 1e9 / format.sampleRate();
        this.frameNanos = format.frameNanos();
        this.maxDelayNanos = maxDelayNanos;
        this.maxEdit = (int) Math.max(1, tuning.maxEditNanos() / nanosPerSample);
        this.deadbandNanos = tuning.deadbandNanos();
        // far too shallow (more than two frames): stretch without waiting for budget, late loss is worse
        this.fastGrowNanos = 2 * frameNanos;
        this.maxQuietEdit = (int) Math.max(1, tuning.maxQuietEditNanos() / nanosPerSample);
        this.allowance = tuning.allowance();
        this.budgetShare = tuning.budget();
        this.ring = ring;
        this.fifo = fifo;
        this.timeline = timeline;
        this.stats = stats;
        this.waits = waits;
        this.policy = policy;
        this.heard = heard;
    }

    /**
     * Tells whether a talk spurt is playing (started at the target offset and not ended).
     *
     * @return true while playing
     */
    boolean playing() {
        return playing;
    }

    /**
     * Tells whether a frame of the current stream has played (after which a frame numbered before
     * the first is late, not reordered).
     *
     * @return true once a frame played
     */
    boolean streamPlayed() {
        return streamPlayed;
    }

    /** Forgets the stream after a sender restart, fading out what was playing. */
    void onRestart() {
        holdCredit = 0;
        streamPlayed = false;
        if (playing) {
            playing = false;
            fifo.fadeOutTail();
        }
    }

    /**
     * Fills the FIFO for a playout call and, unless waiting on an underrun, steers the delay.
     *
     * @param now the time of the call
     * @param need the samples the call takes (interleaved)
     */
    void schedule(long now, int need) {
        fill(now, need);
        if (playing && holdCredit == 0) {
            adjust(now, need);
        }
    }

    private void fill(long now, int need) {
        while (fifo.length() < need) {
            if (!playing && !tryStart(now, need)) {
                return;
            }
            long nextSeq = ring.nextSeq();
            int slot = ring.slotOf(nextSeq);
            boolean present = ring.holds(nextSeq, SlotRing.PRESENT);
            if (present && now - ring.arrivalAt(slot) > maxDelayNanos) {
                // the hard bound: no frame plays after waiting longer than the maximum delay
                ring.setState(slot, SlotRing.SKIPPED);
                stats.overflowDropped++;
                ring.advance();
                continue;
            }
            if (present) {
                long drift = ring.tsAt(slot) - ring.nextTs();
                if (drift >= -spf / 2 && drift <= spf / 2) {
                    ring.setNextTs(ring.tsAt(slot));
                } else {
                    // a timestamp gap (silence between talk spurts): align the new spurt afresh.
                    // What was concealed since the last spurt ended waited for no late packet:
                    // neither a wait nor concealment, as when the next spurt starts after silence
                    playing = false;
                    waits.onNewSpurt();
                    fifo.fadeOutTail();
                    continue;
                }
                appendFrame(slot, now);
                continue;
            }
            long later = ring.firstPresentFrom(nextSeq + 1);
            if (later != Long.MIN_VALUE
                    && (ring.tsAt(ring.slotOf(later)) - ring.nextTs() < spf / 2
                            || now - ring.arrivalAt(ring.slotOf(later)) >= maxDelayNanos - frameNanos)) {
                // the next frame present is due now by its timestamp although sequence numbers
                // are missing before it, or it has waited as long as any frame may: skip the
                // missing ones rather than conceal time that does not exist
                for (long q = nextSeq; q < later; q++) {
                    stats.missing++;
                    ring.skip(q);
                }
                ring.setNextSeq(later);
                holdCredit = 0;
                continue;
            }
            if (later != Long.MIN_VALUE) {
                stats.missing++;
                ring.skip(nextSeq);
                if (holdCredit > 0) {
                    // this frame's time was already filled while we waited for it
                    holdCredit--;
                    stats.waits--;
                } else {
                    appendConcealment();
                }
                ring.advance();
                continue;
            }
            // underrun: nothing to play. Conceal and wait (the packet may only be late)
            if (fifo.endsInSilence() || fifo.concealmentExhausted()) {
                playing = false;
                holdCredit = 0;
                return;
            }
            appendConcealment();
            holdCredit++;
            waits.onWaitFrame();
        }
    }

    /** Starts (or restarts after silence) playing at the target offset; false to wait. */
    private boolean tryStart(long now, int need) {
        long first = ring.firstPresentFrom(ring.nextSeq());
        while (first != Long.MIN_VALUE && now - ring.arrivalAt(ring.slotOf(first)) > maxDelayNanos) {
            ring.setState(ring.slotOf(first), SlotRing.SKIPPED);
            stats.overflowDropped++;
            first = ring.firstPresentFrom(first + 1);
        }
        if (first == Long.MIN_VALUE) {
            return false;
        }
        int slot = ring.slotOf(first);
        int fifoLen = fifo.length();
        long target = policy.targetNanos() + Math.round(allowance * need / channels * nanosPerSample);
        // place the spurt so that the frame after the first meets the target on the grid of calls
        // (its deadline as adjust measures it): the call that needs it, the first to output the
        // sample after the first frame, comes no earlier than that frame's time plus the target
        int callFrames = need / channels;
        long callNanos = Math.round(callFrames * nanosPerSample);
        long ahead = timeline.expected(ring.tsAt(slot) + spf) + target - now;
        long calls = ahead <= 0 ? 0 : (ahead + callNanos - 1) / callNanos;
        long silence = calls * callFrames - fifoLen / channels - spf;
        // however early its timestamp says it is, no frame waits longer than the maximum delay
        long waited = now - ring.arrivalAt(slot);
        silence = Math.min(silence, Math.round((maxDelayNanos - waited) / nanosPerSample) - need / channels);
        if (silence > 0) {
            int room = (need - fifoLen) / channels;
            if (silence >= room) {
                fifo.appendSilence(need - fifoLen);
                return false;
            }
            fifo.appendSilence((int) silence * channels);
        }
        long nextSeq = ring.nextSeq();
        for (long s = nextSeq; s < first; s++) {
            if (!ring.holds(s, SlotRing.PLAYED)) {
                stats.missing++;
                ring.skip(s);
            }
        }
        if (first > nextSeq) {
            waits.onResumedAfter(first - nextSeq);
        }
        long ts = ring.tsAt(slot);
        boolean newSpurt = ring.markerAt(slot) || ts - ring.nextTs() > (first - nextSeq) * spf + spf / 2;
        if (newSpurt) {
            waits.onNewSpurt();
        }
        ring.setNext(first, ts);
        playing = true;
        holdCredit = 0;
        return true;
    }

    private void appendFrame(int slot, long now) {
        heard.onAppend(ring.arrivalAt(slot), fifo.length() / channels);
        fifo.appendFrame(ring.frameAt(slot));
        ring.setState(slot, SlotRing.PLAYED);
        stats.recordPlayed(now - ring.arrivalAt(slot));
        ring.advance();
        holdCredit = 0;
        streamPlayed = true;
        waits.onFramePlayed(now);
    }

    private void appendConcealment() {
        fifo.appendConcealment();
        stats.concealed++;
    }

    /** Steers the offset of the next frame to the target by stretching or shortening the FIFO. */
    private void adjust(long now, int need) {
        long target = policy.targetNanos() + Math.round(allowance * need / channels * nanosPerSample);
        long ceiling = policy.floorNanos() + maxDelayNanos;
        if (target > ceiling) {
            target = ceiling;
        }
        int callFrames = need / channels;
        long callNanos = Math.round(callFrames * nanosPerSample);
        int splice = fifo.splice();
        // the next frame is needed by the call in which the FIFO runs out: its deadline, on the
        // grid of playout calls, is what decides whether it is late
        int fifoFrames = fifo.length() / channels;
        long deadline = now + (long) (fifoFrames / callFrames) * callNanos - timeline.expected(ring.nextTs());
        long error = deadline - target;
        // a bucket of a quarter second of refill: at most 1.25 x budget of any second is adjusted
        budgetSamples = Math.min(0.25 * budgetShare * sampleRate, budgetSamples + budgetShare * callFrames);
        boolean overflow = deadline > ceiling;
        // the samples the call that needs the next frame outputs before it: when frames are whole
        // calls, delay the listener hears and that no deadline needs
        int lead = fifoFrames % callFrames;
        boolean aligned = spf % callFrames == 0;
        if (error >= callNanos + deadbandNanos) {
            // one call too deep: cut just enough to move the deadline one call earlier (and, with
            // frames of whole calls, to start the next frame at the start of that call)
            int s = lead
                    + (aligned ? callFrames : 1)
                    + Math.max(0, (int) ((error - callNanos) / nanosPerSample) / 2 / callFrames * callFrames);
            s = Math.min(s, fifo.isQuiet() ? maxQuietEdit : maxEdit);
            if (s > budgetSamples && !overflow) {
                return; // wait for budget
            }
            pullPresent(now, callFrames + s + splice);
            s = Math.min(s, fifo.length() / channels - callFrames - splice);
            if (s > 0) {
                budgetSamples = Math.max(0, budgetSamples - s);
                fifo.shrink(s);
                heard.onShrink(s);
                stats.adjustments++;
                stats.adjustedSamples += s;
            }
        } else if (error < 0 && error > -maxDelayNanos && deadline + callNanos <= ceiling) {
            // (an error beyond the maximum delay is a jump in the stream, not jitter: the frames
            // in between are concealed or skipped by the playout, not stretched over)
            // too shallow: stretch just enough to move the deadline one call later
            int s = callFrames - lead;
            s = Math.min(s, fifo.isQuiet() ? maxQuietEdit : maxEdit);
            if (s > budgetSamples && error > -fastGrowNanos) {
                return;
            }
            pullPresent(now, s + splice);
            s = Math.min(s, fifo.length() / channels - splice);
            s = Math.min(s, (fifo.capacity() - fifo.length()) / channels);
            if (s > 0) {
                budgetSamples = Math.max(0, budgetSamples - s);
                fifo.grow(s);
                heard.onGrow(s);
                stats.adjustments++;
                stats.adjustedSamples += s;
            }
        } else if (aligned && lead > 0) {
            // the deadline is right, but the next frame would start mid-call: cut the samples
            // ahead of it, which leaves every deadline where it is
            int s = Math.min(lead, fifo.isQuiet() ? maxQuietEdit : maxEdit);
            if (s > budgetSamples) {
                return;
            }
            pullPresent(now, callFrames + s + splice);
            // this call still gets its samples, and the cross-fade stays inside the FIFO
            s = Math.min(s, fifo.length() / channels - Math.max(callFrames, splice));
            if (s > 0) {
                budgetSamples = Math.max(0, budgetSamples - s);
                fifo.shrink(s);
                heard.onShrink(s);
                stats.adjustments++;
                stats.adjustedSamples += s;
            }
        }
    }

    /** Appends the frames that are present and next in line until the FIFO holds {@code sampleFrames}. */
    private void pullPresent(long now, int sampleFrames) {
        int reserve = fifo.splice() * channels;
        while (fifo.length() / channels < sampleFrames && fifo.length() + frameLength <= fifo.capacity() - reserve) {
            long nextSeq = ring.nextSeq();
            int slot = ring.slotOf(nextSeq);
            if (ring.holds(nextSeq, SlotRing.PRESENT)
                    && Math.abs(ring.tsAt(slot) - ring.nextTs()) <= spf / 2
                    && now - ring.arrivalAt(slot) <= maxDelayNanos) {
                ring.setNextTs(ring.tsAt(slot));
                appendFrame(slot, now);
            } else {
                return;
            }
        }
    }
}
