package dev.tip.core.internal.jitter;

import dev.tip.core.audio.DelayEstimator;

/**
 * The arrival side: extends each packet's 16-bit sequence number and 32-bit timestamp, measures
 * its relative delay on the {@link Timeline} and feeds the {@link DelayEstimator} (unless a wait
 * absorbed the delay), follows sender restarts, and decides what becomes of the frame: a slot of
 * the {@link SlotRing} to fill, or a duplicate, a late frame, or a sequence number out of range
 * (a possible restart). Allocates nothing. Not thread-safe: confined to the engine.
 */
final class Admission {

    /** A sequence jump larger than this is a restart candidate, not a loss or a reorder. */
    static final int MAX_JUMP = 1000;
    /** Relative delays that jump by more than this mean the timestamps jumped: re-base. */
    static final long MAX_PLAUSIBLE_JUMP_NANOS = 1_000_000_000L;

    private final SlotRing ring;
    private final Timeline timeline;
    private final PlayoutStats stats;
    private final WaitTracker waits;
    private final DelayEstimator policy;
    private final PlayoutScheduler scheduler;
    private final boolean excludeHeld;

    private boolean started;
    private long lastRelative;
    private int restartCandidate = -1;

    /**
     * Creates the arrival side of an engine.
     *
     * @param ring the frame store
     * @param timeline the stream's time line, based here
     * @param stats the counters
     * @param waits the underrun waits, to keep spikes out of the target
     * @param policy the target policy fed with relative delays
     * @param scheduler the playout side, told of restarts
     * @param excludeHeld true to keep delays absorbed by a wait out of the target
     */
    Admission(
            SlotRing ring,
            Timeline timeline,
            PlayoutStats stats,
            WaitTracker waits,
            DelayEstimator policy,
            PlayoutScheduler scheduler,
            boolean excludeHeld) {
        this.ring = ring;
        this.timeline = timeline;
        this.stats = stats;
        this.waits = waits;
        this.policy = policy;
        this.scheduler = scheduler;
        this.excludeHeld = excludeHeld;
    }

    /**
     * Tells whether a packet has arrived yet.
     *
     * @return true once the stream started
     */
    boolean started() {
        return started;
    }

    /**
     * Admits an arriving frame.
     *
     * @param seq16 sequence number, 0..65535
     * @param ts32 timestamp, 0..2^32-1
     * @param marker first frame of a talk spurt
     * @param arrival arrival time
     * @return the slot to fill (claimed, {@link SlotRing#EMPTY}), or {@code -(result + 1)} with
     *     {@link PlayoutEngine#DUPLICATE}, {@link PlayoutEngine#LATE} or {@link
     *     PlayoutEngine#OUT_OF_RANGE} if the frame is not to be stored
     */
    int admit(int seq16, long ts32, boolean marker, long arrival) {
        if (!started) {
            startStream(seq16, ts32, arrival);
        }
        long highestSeq = ring.highestSeq();
        long highestTs = ring.highestTs();
        long ext = highestSeq + (short) (seq16 - (int) (highestSeq & 0xFFFF));
        long diff = ext - highestSeq;
        long extTs = highestTs + (int) (ts32 - (highestTs & 0xFFFF_FFFFL));
        long relative = arrival - timeline.expected(extTs);
        boolean seqJump = diff > MAX_JUMP || diff < -MAX_JUMP;
        boolean timeJump = Math.abs(relative - lastRelative) > MAX_PLAUSIBLE_JUMP_NANOS;
        if (seqJump || timeJump) {
            // a jump in numbering or in time: a restart if the next packet follows this one
            if (restartCandidate >= 0 && seq16 == ((restartCandidate + 1) & 0xFFFF)) {
                restart(seq16, ts32, arrival);
                ext = ring.highestSeq();
                extTs = ring.highestTs();
                relative = lastRelative;
            } else {
                restartCandidate = seq16;
                return -(PlayoutEngine.OUT_OF_RANGE + 1);
            }
        }
        restartCandidate = -1;
        int slot = ring.slotOf(ext);
        long nextSeq = ring.nextSeq();
        if (ext < nextSeq) {
            if (!scheduler.streamPlayed() && ext > nextSeq - ring.capacity() / 2) {
                // before anything played: an earlier frame reordered behind the first one
                ring.setNext(ext, extTs);
            } else {
                if (ring.holds(ext, SlotRing.PLAYED)) {
                    stats.duplicates++;
                    return -(PlayoutEngine.DUPLICATE + 1);
                }
                stats.late++;
                lastRelative = relative;
                if (!(excludeHeld && waits.absorbed(arrival, relative, scheduler.playing()))) {
                    policy.onArrival(arrival, relative);
                }
                return -(PlayoutEngine.LATE + 1);
            }
        }
        if (ring.holds(ext, SlotRing.PRESENT)) {
            stats.duplicates++;
            return -(PlayoutEngine.DUPLICATE + 1);
        }
        // the delay would exceed what the ring holds: drop the oldest frames
        stats.overflowDropped += ring.makeRoomFor(ext);
        if (ext > ring.highestSeq()) {
            ring.setHighest(ext, extTs);
        }
        lastRelative = relative;
        if (!(excludeHeld && !marker && waits.absorbed(arrival, relative, scheduler.playing()))) {
            policy.onArrival(arrival, relative);
        }
        ring.claim(slot, ext, extTs, arrival, marker); // PRESENT once the payload is copied
        return slot;
    }

    private void startStream(int seq16, long ts32, long arrival) {
        started = true;
        ring.resetWindow(seq16, ts32);
        timeline.rebase(ts32, arrival);
        lastRelative = 0;
    }

    private void restart(int seq16, long ts32, long arrival) {
        stats.restarts++;
        ring.clear();
        // new numbering, same time line: the first packet of the new stream keeps the last relative delay
        ring.resetWindow(seq16, ts32);
        timeline.rebase(ts32, arrival - lastRelative);
        scheduler.onRestart();
    }
}
