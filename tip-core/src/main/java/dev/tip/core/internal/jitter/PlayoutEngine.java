package dev.tip.core.internal.jitter;

import dev.tip.core.audio.JitterBufferStats;
import dev.tip.core.audio.PcmConcealment;
import dev.tip.core.voice.AudioFormat;
import java.nio.ByteBuffer;

/**
 * The jitter buffer's machinery: a ring of preallocated frames indexed by extended sequence
 * number, a sample FIFO between the ring and the playout calls (so the delay can be changed by a
 * fraction of a frame), loss concealment, and a controller that steers the playout offset to the
 * target of a {@link TargetPolicy}. Virtual time: every method takes the current time. Allocates
 * nothing after construction. Not thread-safe: the public {@code JitterBuffer} serialises calls.
 */
public final class PlayoutEngine {

    /** Insert result: the frame was stored. */
    public static final int INSERTED = 0;
    /** Insert result: a copy of a frame already stored or played. */
    public static final int DUPLICATE = 1;
    /** Insert result: arrived after its playout time. */
    public static final int LATE = 2;
    /** Insert result: a sequence number far from the stream's; kept as a possible restart. */
    public static final int OUT_OF_RANGE = 3;

    /** Playout result: at least part of the output came from received frames. */
    public static final int PLAYED_FRAME = 0;
    /** Playout result: the output was concealment (and maybe silence), no received audio. */
    public static final int PLAYED_CONCEALMENT = 1;
    /** Playout result: only silence (no stream, or between talk spurts). */
    public static final int PLAYED_SILENCE = 2;

    private static final byte EMPTY = 0;
    private static final byte PRESENT = 1;
    private static final byte PLAYED = 2;
    private static final byte SKIPPED = 3;

    /** A sequence jump larger than this is a restart candidate, not a loss or a reorder. */
    private static final int MAX_JUMP = 1000;
    /** Relative delays that jump by more than this mean the timestamps jumped: re-base. */
    private static final long MAX_PLAUSIBLE_JUMP_NANOS = 1_000_000_000L;
    /** A wait of this many frames or more is a delay spike, kept out of the target. */
    private static final int SPIKE_WAIT_FRAMES = 3;
    /** Delay histogram resolution and range. */
    private static final long BUCKET_NANOS = 500_000L;

    private static final int BUCKETS = 8001;

    private final AudioFormat format;
    private final int channels;
    private final int spf;
    private final int frameLength;
    private final double nanosPerSample;
    private final long frameNanos;
    private final int capacity;
    private final int mask;
    private final long maxDelayNanos;
    private final TargetPolicy policy;
    private final PcmConcealment concealment;

    private final short[][] frames;
    private final long[] slotSeq;
    private final long[] slotTs;
    private final long[] slotArrival;
    private final boolean[] slotMarker;
    private final byte[] slotState;

    private final short[] fifo;
    private int fifoLen;
    private final int splice;
    private final int maxEdit;
    private final long deadbandNanos;
    private final long fastGrowNanos;
    private final int maxQuietEdit;
    private final double allowance;
    private final double budgetShare;
    private final boolean excludeHeld;
    private double budgetSamples;
    private boolean waitingForLate;

    // stream state
    private boolean started;
    private boolean streamPlayed;
    private boolean playing;
    private long highestSeq;
    private long highestTs;
    private long nextSeq;
    private long nextTs;
    private long tsBase;
    private long timeBase;
    private long lastRelative;
    private int holdCredit;
    private boolean lastWasSilence = true;
    private int restartCandidate = -1;
    private long unsequencedCount;
    private long lastUnsequencedArrival;

    // stats
    private long played;
    private long concealed;
    private long missing;
    private long late;
    private long duplicates;
    private long adjustments;
    private long adjustedSamples;
    private long overflowDropped;
    private long waits;
    private int waitsThisUnderrun;
    private int underrunFrames;
    private long waitEndedAt = Long.MIN_VALUE;
    private long restarts;
    private long delaySum;
    private long currentDelay;
    private final int[] delayHistogram = new int[BUCKETS];

    /**
     * Creates an engine.
     *
     * @param format the PCM format of every frame
     * @param maxDelayNanos the largest buffering delay ever kept
     * @param policy decides the target offset
     * @param tuning the controller's constants
     */
    public PlayoutEngine(AudioFormat format, long maxDelayNanos, TargetPolicy policy, Tuning tuning) {
        this.format = format;
        this.channels = format.channels();
        this.spf = format.samplesPerFrame();
        this.frameLength = format.frameLength();
        this.nanosPerSample = 1e9 / format.sampleRate();
        this.frameNanos = format.frameNanos();
        this.maxDelayNanos = maxDelayNanos;
        this.policy = policy;
        this.concealment = new PcmConcealment(format);
        int slots = (int) Math.min(1 << 14, 2 * (maxDelayNanos / Math.max(1, frameNanos)) + 16);
        this.capacity = Integer.highestOneBit(slots - 1) << 1;
        this.mask = capacity - 1;
        this.frames = new short[capacity][frameLength];
        this.slotSeq = new long[capacity];
        java.util.Arrays.fill(slotSeq, Long.MIN_VALUE);
        this.slotTs = new long[capacity];
        this.slotArrival = new long[capacity];
        this.slotMarker = new boolean[capacity];
        this.slotState = new byte[capacity];
        this.splice = Math.max(8, format.sampleRate() / 200);
        this.fifo = new short[(6 * spf + 4 * splice) * channels];
        this.maxEdit = (int) Math.max(1, tuning.maxEditNanos() / nanosPerSample);
        this.deadbandNanos = tuning.deadbandNanos();
        // far too shallow (more than two frames): stretch without waiting for budget, late loss is worse
        this.fastGrowNanos = 2 * frameNanos;
        this.maxQuietEdit = (int) Math.max(1, tuning.maxQuietEditNanos() / nanosPerSample);
        this.allowance = tuning.allowance();
        this.budgetShare = tuning.budget();
        this.excludeHeld = tuning.excludeHeld();
    }

    /**
     * The controller's constants.
     *
     * @param deadbandNanos how far beyond one playout call too deep the deadline may be before cutting
     * @param maxEditNanos largest single cut or insertion while audio is loud
     * @param maxQuietEditNanos largest single cut or insertion while audio is quiet
     * @param allowance share of the playout call length added to the target offset
     * @param budget largest share of playing time inserted or removed, over any second
     * @param excludeHeld true to keep packets that arrive while the buffer waits on an underrun
     *     out of the target estimate: their delay was absorbed by waiting, not by the target
     */
    public record Tuning(
            long deadbandNanos,
            long maxEditNanos,
            long maxQuietEditNanos,
            double allowance,
            double budget,
            boolean excludeHeld) {
        /** TIP's defaults. */
        public static final Tuning DEFAULT = new Tuning(1_000_000L, 10_000_000L, 20_000_000L, 0.0, 0.075, true);
    }

    /**
     * Returns the format of the frames.
     *
     * @return the format
     */
    public AudioFormat format() {
        return format;
    }

    /**
     * Returns the largest number of samples one playout call may ask for.
     *
     * @return {@code 2 * frameLength}
     */
    public int maxPlayoutLength() {
        return 2 * frameLength;
    }

    // ------------------------------------------------------------------ insert

    /**
     * Inserts a frame given as 16-bit samples.
     *
     * @param seq16 sequence number, 0..65535
     * @param ts32 timestamp, 0..2^32-1
     * @param marker first frame of a talk spurt
     * @param pcm samples
     * @param offset first sample
     * @param length number of samples (shorter frames are padded with silence)
     * @param arrivalNanos arrival time
     * @return {@link #INSERTED}, {@link #DUPLICATE}, {@link #LATE} or {@link #OUT_OF_RANGE}
     */
    public int insert(int seq16, long ts32, boolean marker, short[] pcm, int offset, int length, long arrivalNanos) {
        int slot = admit(seq16 & 0xFFFF, ts32 & 0xFFFF_FFFFL, marker, arrivalNanos);
        if (slot < 0) {
            return -slot - 1;
        }
        short[] f = frames[slot];
        int n = Math.min(length, frameLength);
        System.arraycopy(pcm, offset, f, 0, n);
        if (n < frameLength) {
            java.util.Arrays.fill(f, n, frameLength, (short) 0);
        }
        slotState[slot] = PRESENT;
        return INSERTED;
    }

    /**
     * Inserts a frame given as signed 16-bit little-endian bytes.
     *
     * @param seq16 sequence number
     * @param ts32 timestamp
     * @param marker first frame of a talk spurt
     * @param bytes the payload; absolute indexes, position and order ignored
     * @param offset first byte
     * @param length number of bytes
     * @param arrivalNanos arrival time
     * @return as {@link #insert(int, long, boolean, short[], int, int, long)}
     */
    public int insert(
            int seq16, long ts32, boolean marker, ByteBuffer bytes, int offset, int length, long arrivalNanos) {
        int slot = admit(seq16 & 0xFFFF, ts32 & 0xFFFF_FFFFL, marker, arrivalNanos);
        if (slot < 0) {
            return -slot - 1;
        }
        short[] f = frames[slot];
        int n = Math.min(length / 2, frameLength);
        for (int i = 0; i < n; i++) {
            int p = offset + 2 * i;
            f[i] = (short) ((bytes.get(p) & 0xFF) | (bytes.get(p + 1) << 8));
        }
        if (n < frameLength) {
            java.util.Arrays.fill(f, n, frameLength, (short) 0);
        }
        slotState[slot] = PRESENT;
        return INSERTED;
    }

    /**
     * Inserts a frame given as signed 16-bit little-endian bytes in an array.
     *
     * @param seq16 sequence number
     * @param ts32 timestamp
     * @param marker first frame of a talk spurt
     * @param bytes the payload
     * @param offset first byte
     * @param length number of bytes
     * @param arrivalNanos arrival time
     * @return as {@link #insert(int, long, boolean, short[], int, int, long)}
     */
    public int insert(int seq16, long ts32, boolean marker, byte[] bytes, int offset, int length, long arrivalNanos) {
        int slot = admit(seq16 & 0xFFFF, ts32 & 0xFFFF_FFFFL, marker, arrivalNanos);
        if (slot < 0) {
            return -slot - 1;
        }
        short[] f = frames[slot];
        int n = Math.min(length / 2, frameLength);
        for (int i = 0; i < n; i++) {
            int p = offset + 2 * i;
            f[i] = (short) ((bytes[p] & 0xFF) | (bytes[p + 1] << 8));
        }
        if (n < frameLength) {
            java.util.Arrays.fill(f, n, frameLength, (short) 0);
        }
        slotState[slot] = PRESENT;
        return INSERTED;
    }

    /**
     * Numbers a frame of a stream without sequence numbers (the original dialect) in arrival
     * order. A pause in arrivals longer than four frames starts a new talk spurt whose timestamp
     * advances by the frames the pause lasted.
     *
     * @param arrivalNanos arrival time
     * @return the sequence number (low 16 bits) and, in the high 32 bits, the timestamp to insert with;
     *     decode with {@link #unsequencedSeq(long)}, {@link #unsequencedTs(long)},
     *     {@link #unsequencedMarker(long)}
     */
    public long numberUnsequenced(long arrivalNanos) {
        boolean spurt = unsequencedCount == 0 || arrivalNanos - lastUnsequencedArrival > 4 * frameNanos;
        long frameIndex;
        if (unsequencedCount == 0) {
            frameIndex = 0;
        } else if (spurt) {
            frameIndex = unsequencedTsFrames
                    + Math.max(1, Math.round((arrivalNanos - lastUnsequencedArrival) / (double) frameNanos));
        } else {
            frameIndex = unsequencedTsFrames + 1;
        }
        unsequencedTsFrames = frameIndex;
        lastUnsequencedArrival = arrivalNanos;
        long seq = unsequencedCount++ & 0xFFFF;
        long ts = (frameIndex * spf) & 0xFFFF_FFFFL;
        return (ts << 17) | (spurt ? 1L << 16 : 0) | seq;
    }

    private long unsequencedTsFrames;

    /**
     * Extracts the sequence number of {@link #numberUnsequenced(long)}'s result.
     *
     * @param numbered the result
     * @return the sequence number
     */
    public static int unsequencedSeq(long numbered) {
        return (int) (numbered & 0xFFFF);
    }

    /**
     * Extracts the marker of {@link #numberUnsequenced(long)}'s result.
     *
     * @param numbered the result
     * @return the marker
     */
    public static boolean unsequencedMarker(long numbered) {
        return (numbered & (1L << 16)) != 0;
    }

    /**
     * Extracts the timestamp of {@link #numberUnsequenced(long)}'s result.
     *
     * @param numbered the result
     * @return the timestamp
     */
    public static long unsequencedTs(long numbered) {
        return numbered >>> 17;
    }

    /** Returns the slot to fill, or {@code -(result + 1)} if the frame is not to be stored. */
    private int admit(int seq16, long ts32, boolean marker, long arrival) {
        if (!started) {
            startStream(seq16, ts32, arrival);
        }
        long ext = highestSeq + (short) (seq16 - (int) (highestSeq & 0xFFFF));
        long diff = ext - highestSeq;
        long extTs = highestTs + (int) (ts32 - (highestTs & 0xFFFF_FFFFL));
        long relative = arrival - expected(extTs);
        boolean seqJump = diff > MAX_JUMP || diff < -MAX_JUMP;
        boolean timeJump = Math.abs(relative - lastRelative) > MAX_PLAUSIBLE_JUMP_NANOS;
        if (seqJump || timeJump) {
            // a jump in numbering or in time: a restart if the next packet follows this one
            if (restartCandidate >= 0 && seq16 == ((restartCandidate + 1) & 0xFFFF)) {
                restart(seq16, ts32, arrival);
                ext = highestSeq;
                extTs = highestTs;
                relative = lastRelative;
            } else {
                restartCandidate = seq16;
                return -(OUT_OF_RANGE + 1);
            }
        }
        restartCandidate = -1;
        int slot = (int) (ext & mask);
        if (ext < nextSeq) {
            if (!streamPlayed && ext > nextSeq - capacity / 2) {
                // before anything played: an earlier frame reordered behind the first one
                nextSeq = ext;
                nextTs = extTs;
            } else {
                if (slotSeq[slot] == ext && slotState[slot] == PLAYED) {
                    duplicates++;
                    return -(DUPLICATE + 1);
                }
                late++;
                lastRelative = relative;
                if (!(excludeHeld && absorbedByWait(arrival, relative))) {
                    policy.onArrival(arrival, relative);
                }
                return -(LATE + 1);
            }
        }
        if (slotSeq[slot] == ext && slotState[slot] == PRESENT) {
            duplicates++;
            return -(DUPLICATE + 1);
        }
        if (ext >= nextSeq + capacity) {
            // the delay would exceed what the ring holds: drop the oldest frames
            long drop = ext - capacity + 1 - nextSeq;
            for (long s = 0; s < drop; s++) {
                int sl = (int) ((nextSeq + s) & mask);
                if (slotSeq[sl] == nextSeq + s && slotState[sl] == PRESENT) {
                    slotState[sl] = SKIPPED;
                    overflowDropped++;
                }
            }
            nextSeq += drop;
            nextTs += drop * spf;
        }
        if (ext > highestSeq) {
            highestSeq = ext;
            highestTs = extTs;
        }
        lastRelative = relative;
        if (!(excludeHeld && !marker && absorbedByWait(arrival, relative))) {
            policy.onArrival(arrival, relative);
        }
        slotSeq[slot] = ext;
        slotTs[slot] = extTs;
        slotArrival[slot] = arrival;
        slotMarker[slot] = marker;
        slotState[slot] = EMPTY; // PRESENT once the payload is copied
        return slot;
    }

    /**
     * Tells whether a packet's delay was absorbed by waiting on an underrun (a delay spike): it
     * arrived during the wait, or in the burst just after it with a delay above the target.
     */
    private boolean absorbedByWait(long arrival, long relative) {
        if (waitingForLate) {
            // a short wait is the tail of the delay distribution, which the target must learn;
            // a long one (the buffer ran dry for a while) is a spike, which waiting absorbs
            return underrunFrames >= SPIKE_WAIT_FRAMES || !playing;
        }
        return arrival - waitEndedAt < 2 * frameNanos && relative > policy.targetNanos();
    }

    private void startStream(int seq16, long ts32, long arrival) {
        started = true;
        highestSeq = seq16;
        highestTs = ts32;
        nextSeq = seq16;
        nextTs = ts32;
        tsBase = ts32;
        timeBase = arrival;
        lastRelative = 0;
    }

    private void restart(int seq16, long ts32, long arrival) {
        restarts++;
        long oldRelative = lastRelative;
        for (int i = 0; i < capacity; i++) {
            if (slotState[i] == PRESENT) {
                slotState[i] = SKIPPED;
            }
            slotSeq[i] = Long.MIN_VALUE;
        }
        // new numbering, same time line: the first packet of the new stream keeps the last relative delay
        highestSeq = seq16;
        highestTs = ts32;
        nextSeq = seq16;
        nextTs = ts32;
        tsBase = ts32;
        timeBase = arrival - oldRelative;
        lastRelative = oldRelative;
        holdCredit = 0;
        streamPlayed = false;
        if (playing) {
            playing = false;
            fadeOutTail();
        }
    }

    private long expected(long extTs) {
        return timeBase + Math.round((extTs - tsBase) * nanosPerSample);
    }

    // ------------------------------------------------------------------ playout

    /**
     * Produces {@code length} samples of output for a playout call at {@code nowNanos}.
     *
     * @param nowNanos the time of the call: the deadline of every frame it needs
     * @param out receives the samples
     * @param offset first index written
     * @param length samples to write (interleaved), a multiple of the channel count, at most
     *     {@link #maxPlayoutLength()}
     * @return {@link #PLAYED_FRAME}, {@link #PLAYED_CONCEALMENT} or {@link #PLAYED_SILENCE}
     */
    public int playout(long nowNanos, short[] out, int offset, int length) {
        long realBefore = played;
        long concealedBefore = concealed;
        if (started) {
            fill(nowNanos, length);
            if (playing && holdCredit == 0) {
                adjust(nowNanos, length);
            }
        }
        if (fifoLen < length) {
            appendSilence(length - fifoLen);
        }
        System.arraycopy(fifo, 0, out, offset, length);
        fifoLen -= length;
        System.arraycopy(fifo, length, fifo, 0, fifoLen);
        if (played != realBefore) {
            return PLAYED_FRAME;
        }
        return concealed != concealedBefore ? PLAYED_CONCEALMENT : (lastWasSilence ? PLAYED_SILENCE : PLAYED_FRAME);
    }

    private void fill(long now, int need) {
        while (fifoLen < need) {
            if (!playing && !tryStart(now, need)) {
                return;
            }
            int slot = (int) (nextSeq & mask);
            if (slotSeq[slot] == nextSeq && slotState[slot] == PRESENT && now - slotArrival[slot] > maxDelayNanos) {
                // the hard bound: no frame plays after waiting longer than the maximum delay
                slotState[slot] = SKIPPED;
                overflowDropped++;
                nextSeq++;
                nextTs += spf;
                continue;
            }
            if (slotSeq[slot] == nextSeq && slotState[slot] == PRESENT) {
                long drift = slotTs[slot] - nextTs;
                if (drift >= -spf / 2 && drift <= spf / 2) {
                    nextTs = slotTs[slot];
                } else {
                    // a timestamp gap (silence between talk spurts): align the new spurt afresh
                    playing = false;
                    waitingForLate = false;
                    fadeOutTail();
                    continue;
                }
                appendFrame(slot, now);
                continue;
            }
            long later = firstPresentFrom(nextSeq + 1);
            if (later != Long.MIN_VALUE
                    && (slotTs[(int) (later & mask)] - nextTs < spf / 2
                            || now - slotArrival[(int) (later & mask)] >= maxDelayNanos - frameNanos)) {
                // the next frame present is due now by its timestamp although sequence numbers
                // are missing before it, or it has waited as long as any frame may: skip the
                // missing ones rather than conceal time that does not exist
                for (long q = nextSeq; q < later; q++) {
                    missing++;
                    int sl = (int) (q & mask);
                    slotSeq[sl] = q;
                    slotState[sl] = SKIPPED;
                }
                nextSeq = later;
                holdCredit = 0;
                continue;
            }
            if (later != Long.MIN_VALUE) {
                missing++;
                markSkipped(slot);
                if (holdCredit > 0) {
                    // this frame's time was already filled while we waited for it
                    holdCredit--;
                    waits--;
                } else {
                    appendConcealment();
                }
                nextSeq++;
                nextTs += spf;
                continue;
            }
            // underrun: nothing to play. Conceal and wait (the packet may only be late)
            if (lastWasSilence || concealment.isExhausted()) {
                playing = false;
                holdCredit = 0;
                return;
            }
            appendConcealment();
            holdCredit++;
            waitingForLate = true;
            // waiting inserts a frame into the time line: counted apart from the adjustments
            waits++;
            waitsThisUnderrun++;
            underrunFrames++;
        }
    }

    private void markSkipped(int slot) {
        if (slotSeq[slot] != nextSeq) {
            slotSeq[slot] = nextSeq;
        }
        slotState[slot] = SKIPPED;
    }

    /** Starts (or restarts after silence) playing at the target offset; false to wait. */
    private boolean tryStart(long now, int need) {
        long first = firstPresentFrom(nextSeq);
        while (first != Long.MIN_VALUE && now - slotArrival[(int) (first & mask)] > maxDelayNanos) {
            slotState[(int) (first & mask)] = SKIPPED;
            overflowDropped++;
            first = firstPresentFrom(first + 1);
        }
        if (first == Long.MIN_VALUE) {
            return false;
        }
        int slot = (int) (first & mask);
        long target = policy.targetNanos() + Math.round(allowance * need / channels * nanosPerSample);
        long startNanos = now + Math.round(fifoLen / channels * nanosPerSample) - expected(slotTs[slot]);
        long silence = Math.round((target - startNanos) / nanosPerSample);
        // however early its timestamp says it is, no frame waits longer than the maximum delay
        long waited = now - slotArrival[slot];
        silence = Math.min(silence, Math.round((maxDelayNanos - waited) / nanosPerSample) - need / channels);
        if (silence > 0) {
            int room = (need - fifoLen) / channels;
            if (silence >= room) {
                appendSilence(need - fifoLen);
                return false;
            }
            appendSilence((int) silence * channels);
        }
        for (long s = nextSeq; s < first; s++) {
            int sl = (int) (s & mask);
            if (slotSeq[sl] != s || slotState[sl] != PLAYED) {
                missing++;
                slotSeq[sl] = s;
                slotState[sl] = SKIPPED;
            }
        }
        if (waitingForLate && first > nextSeq) {
            // the frames concealed while waiting stood for frames that never came: losses, not waits
            int covered = (int) Math.min(waitsThisUnderrun, first - nextSeq);
            waits -= covered;
            waitsThisUnderrun -= covered;
        }
        boolean newSpurt = slotMarker[slot] || slotTs[slot] - nextTs > (first - nextSeq) * spf + spf / 2;
        if (newSpurt && waitingForLate) {
            // the frames concealed while waiting followed the end of a talk spurt: no packet was late
            concealed -= waitsThisUnderrun;
            waits -= waitsThisUnderrun;
            waitingForLate = false;
            waitsThisUnderrun = 0;
            underrunFrames = 0;
        }
        nextSeq = first;
        nextTs = slotTs[slot];
        playing = true;
        holdCredit = 0;
        return true;
    }

    private long firstPresentFrom(long from) {
        for (long s = from; s <= highestSeq; s++) {
            int sl = (int) (s & mask);
            if (slotSeq[sl] == s && slotState[sl] == PRESENT) {
                return s;
            }
        }
        return Long.MIN_VALUE;
    }

    private void appendFrame(int slot, long now) {
        System.arraycopy(frames[slot], 0, fifo, fifoLen, frameLength);
        concealment.blendInto(fifo, fifoLen, spf, lastWasSilence);
        concealment.observe(fifo, fifoLen, spf);
        fifoLen += frameLength;
        slotState[slot] = PLAYED;
        long delay = now - slotArrival[slot];
        currentDelay = delay;
        delaySum += delay;
        delayHistogram[(int) Math.max(0, Math.min(BUCKETS - 1, delay / BUCKET_NANOS))]++;
        played++;
        nextSeq++;
        nextTs += spf;
        holdCredit = 0;
        lastWasSilence = false;
        streamPlayed = true;
        if (waitingForLate) {
            if (underrunFrames >= SPIKE_WAIT_FRAMES) {
                waitEndedAt = now;
            }
            waitingForLate = false;
        }
        waitsThisUnderrun = 0;
        underrunFrames = 0;
    }

    private void appendConcealment() {
        concealment.conceal(fifo, fifoLen, spf);
        fifoLen += frameLength;
        concealed++;
    }

    private void appendSilence(int samples) {
        java.util.Arrays.fill(fifo, fifoLen, fifoLen + samples, (short) 0);
        fifoLen += samples;
        lastWasSilence = true;
    }

    private void fadeOutTail() {
        int n = Math.min(splice, fifoLen / channels);
        for (int i = 0; i < n; i++) {
            float w = (n - i - 1) / (float) n;
            int base = fifoLen - (n - i) * channels;
            for (int c = 0; c < channels; c++) {
                fifo[base + c] = (short) Math.round(fifo[base + c] * w);
            }
        }
        concealment.reset();
        lastWasSilence = true;
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
        // the next frame is needed by the call in which the FIFO runs out: its deadline, on the
        // grid of playout calls, is what decides whether it is late
        int fifoFrames = fifoLen / channels;
        long deadline = now + (long) (fifoFrames / callFrames) * callNanos - expected(nextTs);
        long error = deadline - target;
        // a bucket of a quarter second of refill: at most 1.25 x budget of any second is adjusted
        budgetSamples = Math.min(0.25 * budgetShare * format.sampleRate(), budgetSamples + budgetShare * callFrames);
        boolean overflow = deadline > ceiling;
        if (error >= callNanos + deadbandNanos) {
            // one call too deep: cut just enough to move the deadline one call earlier
            int s = fifoFrames % callFrames
                    + 1
                    + Math.max(0, (int) ((error - callNanos) / nanosPerSample) / 2 / callFrames * callFrames);
            s = Math.min(s, isQuiet() ? maxQuietEdit : maxEdit);
            if (s > budgetSamples && !overflow) {
                return; // wait for budget
            }
            pullPresent(now, callFrames + s + splice);
            s = Math.min(s, fifoLen / channels - callFrames - splice);
            if (s > 0) {
                budgetSamples = Math.max(0, budgetSamples - s);
                shrink(s);
                adjustments++;
                adjustedSamples += s;
            }
        } else if (error < 0 && error > -maxDelayNanos && deadline + callNanos <= ceiling) {
            // (an error beyond the maximum delay is a jump in the stream, not jitter: the frames
            // in between are concealed or skipped by the playout, not stretched over)
            // too shallow: stretch just enough to move the deadline one call later
            int s = callFrames - fifoFrames % callFrames;
            s = Math.min(s, isQuiet() ? maxQuietEdit : maxEdit);
            if (s > budgetSamples && error > -fastGrowNanos) {
                return;
            }
            pullPresent(now, s + splice);
            s = Math.min(s, fifoLen / channels - splice);
            s = Math.min(s, (fifo.length - fifoLen) / channels);
            if (s > 0) {
                budgetSamples = Math.max(0, budgetSamples - s);
                grow(s);
                adjustments++;
                adjustedSamples += s;
            }
        }
    }

    /** Appends the frames that are present and next in line until the FIFO holds {@code sampleFrames}. */
    private void pullPresent(long now, int sampleFrames) {
        while (fifoLen / channels < sampleFrames && fifoLen + frameLength <= fifo.length - splice * channels) {
            int slot = (int) (nextSeq & mask);
            if (slotSeq[slot] == nextSeq
                    && slotState[slot] == PRESENT
                    && Math.abs(slotTs[slot] - nextTs) <= spf / 2
                    && now - slotArrival[slot] <= maxDelayNanos) {
                nextTs = slotTs[slot];
                appendFrame(slot, now);
            } else {
                return;
            }
        }
    }

    private boolean isQuiet() {
        long sum = 0;
        int n = Math.min(fifoLen, frameLength);
        for (int i = 0; i < n; i++) {
            sum += Math.abs(fifo[i]);
        }
        return n == 0 || sum / n < 64;
    }

    /** Removes {@code s} sample frames from the front, cross-fading over {@code splice}. */
    private void shrink(int s) {
        int ch = channels;
        // backwards: sample k is read after sample s + k is written only when k is not yet written
        for (int k = splice - 1; k >= 0; k--) {
            float w = (k + 1) / (float) (splice + 1);
            for (int c = 0; c < ch; c++) {
                int a = k * ch + c;
                int b = (s + k) * ch + c;
                fifo[b] = (short) Math.round(fifo[a] * (1 - w) + fifo[b] * w);
            }
        }
        fifoLen -= s * ch;
        System.arraycopy(fifo, s * ch, fifo, 0, fifoLen);
    }

    /** Repeats {@code s} sample frames at the front, cross-fading over {@code splice}. */
    private void grow(int s) {
        int ch = channels;
        System.arraycopy(fifo, 0, fifo, s * ch, fifoLen);
        System.arraycopy(fifo, s * ch, fifo, 0, s * ch);
        for (int k = 0; k < splice; k++) {
            float w = (k + 1) / (float) (splice + 1);
            for (int c = 0; c < ch; c++) {
                int at = (s + k) * ch + c;
                int continuing = (2 * s + k) * ch + c;
                fifo[at] = (short) Math.round(fifo[continuing] * (1 - w) + fifo[at] * w);
            }
        }
        fifoLen += s * ch;
    }

    // ------------------------------------------------------------------ stats

    /**
     * Returns a snapshot of the counters.
     *
     * @return the statistics
     */
    public JitterBufferStats stats() {
        long target = started ? Math.max(0, policy.targetNanos() - policy.floorNanos()) : 0;
        return new JitterBufferStats(
                currentDelay,
                target,
                played == 0 ? 0 : delaySum / played,
                percentileDelay(0.95),
                played,
                concealed,
                missing,
                late,
                duplicates,
                adjustments,
                Math.round(adjustedSamples * nanosPerSample),
                waits,
                overflowDropped,
                restarts);
    }

    /**
     * Returns a percentile of the buffering delay of played frames.
     *
     * @param q the quantile, 0..1
     * @return the delay at that quantile (upper edge of its 0.5 ms bucket)
     */
    public long percentileDelay(double q) {
        if (played == 0) {
            return 0;
        }
        long rank = (long) Math.ceil(q * played);
        long seen = 0;
        for (int i = 0; i < BUCKETS; i++) {
            seen += delayHistogram[i];
            if (seen >= rank) {
                return (i + 1) * BUCKET_NANOS;
            }
        }
        return BUCKETS * BUCKET_NANOS;
    }

    /**
     * Returns packets that arrived after their playout time.
     *
     * @return the late count
     */
    public long late() {
        return late;
    }

    /**
     * Returns frames played from received packets.
     *
     * @return the played count
     */
    public long played() {
        return played;
    }

    /**
     * Returns the buffering delay of the last frame played.
     *
     * @return nanoseconds
     */
    public long currentDelayNanos() {
        return currentDelay;
    }

    /**
     * Returns the total audio inserted or removed to steer the delay, in samples per channel.
     *
     * @return the adjusted sample count
     */
    public long adjustedSamples() {
        return adjustedSamples;
    }

    /**
     * Returns the sum of the buffering delays of played frames.
     *
     * @return nanoseconds
     */
    public long delaySumNanos() {
        return delaySum;
    }
}
