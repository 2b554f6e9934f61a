package dev.tip.server.internal;

import dev.tip.core.voice.PayloadType;
import java.nio.ByteBuffer;

/**
 * Each room's mix for its original listeners. The original client plays every datagram it
 * receives, in arrival order, so with two people talking it would hear each voice chopped; an
 * original listener gets instead one stream of 1024-byte raw PCM datagrams (512 samples at
 * 20 kHz), one per {@link #PERIOD_NANOS} of the server's monotonic clock, carrying the clipped sum
 * of everyone else who is talking, its own voice left out.
 *
 * <p>{@link Routing} {@linkplain #offer offers} each voice frame (an original sender's PCM, a
 * TIP/2 sender's payload) while the room has an original listener; the frame is decoded
 * ({@link FrameDecoder}: PCM, or a TIP/2 speaker's own codec decoder) into that speaker's
 * {@link SpeakerQueue}. {@link #tick} mixes one frame per period: one frame from each speaker
 * whose queue plays, summed once on a {@link MixBus}, each original listener getting the sum or
 * the sum minus its own frame. While nobody talks nothing is sent and no tick is asked for: the
 * relay blocks in {@code select} as before. A room without original listeners never gets here.
 *
 * <p>Pacing stays on the relay thread (its select timeout is the time to the next tick, from
 * {@link #tick}): the frames arrive there, in the relay's receive buffer, and the sockets and the
 * member table are there, so a separate mixer thread would need a copy of every frame through a
 * queue between threads and a second busy thread on a small machine, for no gain in precision
 * (deadlines are absolute, so a late wake-up does not drift the rate).
 *
 * <p>Allocates nothing per frame (a speaker's queue is made at registration). Threading: confined
 * to the relay thread; pure apart from its output, and time comes in as an argument, so tests
 * drive it without sockets or threads.
 */
final class Mixer {

    /** Samples per mixed frame: the original's 512. */
    static final int FRAME_LENGTH = 512;
    /** Bytes per mixed datagram. */
    static final int FRAME_BYTES = 2 * FRAME_LENGTH;
    /** One frame of the original's 20 kHz: 25.6 ms. */
    static final long PERIOD_NANOS = FRAME_LENGTH * 1_000_000_000L / 20_000;
    /** Behind by this many periods (a stalled thread), the mix skips ahead instead of bursting. */
    static final int MAX_CATCH_UP = 4;

    private final MemberTable table;
    private final Counters counters;
    private final Routing.Output out;
    private final MixBus bus = new MixBus(FRAME_LENGTH);
    private final short[] decoded = new short[FRAME_LENGTH];
    private boolean ticking;
    private boolean startPending;
    private long next;

    /**
     * Creates the mix of a room.
     *
     * @param table the room's members
     * @param counters where to count
     * @param out the sockets (only {@code send} is used)
     */
    Mixer(MemberTable table, Counters counters, Routing.Output out) {
        this.table = table;
        this.counters = counters;
        this.out = out;
    }

    /**
     * A speaker's voice frame for the mix.
     *
     * @param speaker who sent it
     * @param payloadType its payload type
     * @param buf the buffer holding the payload (absolute indices)
     * @param offset where the payload starts
     * @param length its length
     * @param sequence its 16-bit sequence number (the server's own for an original sender)
     * @return true if the frame went into the mix (original listeners must not get it as well);
     *     false if it cannot be mixed (another frame length, a codec with no decoder)
     */
    boolean offer(Member speaker, int payloadType, ByteBuffer buf, int offset, int length, int sequence) {
        FrameDecoder decoder = payloadType == PayloadType.PCM ? PcmFrameDecoder.INSTANCE : speaker.decoder;
        if (decoder == null || !decoder.decode(buf, offset, length, sequence, decoded)) {
            return false;
        }
        TapSink[] taps = table.room(speaker.room).taps;
        for (TapSink t : taps) {
            t.speaker(speaker.id, decoded);
        }
        SpeakerQueue q = speaker.frames;
        if (q == null) {
            // made at registration; only a member built without it (a test) gets one here
            q = speaker.frames = new SpeakerQueue(FRAME_LENGTH);
        }
        int result = q.push(sequence, decoded);
        if (result == SpeakerQueue.LATE) {
            Counters.add(counters.mixFramesDroppedLate, 1);
        } else if (result == SpeakerQueue.ACCEPTED_DROPPED_OLDEST) {
            Counters.add(counters.mixFramesDroppedOverflow, 1);
        }
        if (!ticking) {
            ticking = true;
            startPending = true;
        }
        return true;
    }

    /**
     * Mixes and sends every frame due by {@code nowNanos}.
     *
     * @param nowNanos the monotonic clock ({@code System.nanoTime()})
     * @return nanoseconds until the next frame is due, or -1 if nobody talks (no tick needed
     *     until the next {@link #offer})
     */
    long tick(long nowNanos) {
        if (!ticking) {
            return -1;
        }
        if (startPending) {
            // the first frame one period after the first offer: the queue has had time to fill
            startPending = false;
            next = nowNanos + PERIOD_NANOS;
            return PERIOD_NANOS;
        }
        if (nowNanos - next >= MAX_CATCH_UP * PERIOD_NANOS) {
            next = nowNanos;
        }
        while (ticking && nowNanos - next >= 0) {
            ticking = mixOne();
            next += PERIOD_NANOS;
        }
        return ticking ? next - nowNanos : -1;
    }

    /**
     * One frame to every original listener, each room mixed on its own (one bus, reused room by
     * room); true while some speaker still has frames or plays.
     */
    private boolean mixOne() {
        boolean busy = false;
        int size = table.size();
        for (int i = 0; i < size; i++) {
            table.get(i).mixed = false;
        }
        for (int i = 0; i < size; i++) {
            Member first = table.get(i);
            if (first.mixed) {
                continue;
            }
            busy |= mixRoom(table.room(first.room));
        }
        return busy;
    }

    /** One frame of {@code room}'s mix to its original listeners; true while a speaker plays. */
    private boolean mixRoom(MemberTable.RoomList room) {
        bus.clear();
        boolean busy = false;
        int size = room.size;
        for (int i = 0; i < size; i++) {
            Member m = room.get(i);
            m.mixed = true;
            SpeakerQueue q = m.frames;
            m.contribution = null;
            if (q == null) {
                continue;
            }
            short[] f = q.pull();
            if (f != null) {
                m.contribution = f;
                bus.add(f);
            }
            busy |= q.size() > 0 || q.playing();
        }
        int speakers = bus.speakers();
        if (speakers == 0) {
            return busy;
        }
        for (TapSink t : room.taps) {
            t.mixed(bus.all());
        }
        if (room.originalListeners == 0) {
            return busy;
        }
        for (int i = 0; i < size; i++) {
            Member r = room.get(i);
            if (r.tip2 || r.address == null) {
                continue;
            }
            ByteBuffer frame;
            if (r.contribution == null) {
                frame = bus.all();
            } else if (speakers > 1) {
                frame = bus.without(r.contribution);
            } else {
                // the only one talking: nothing of anyone else to hear
                continue;
            }
            send(r, frame);
        }
        return busy;
    }

    private void send(Member r, ByteBuffer frame) {
        Counters.add(counters.datagramsRelayed, 1);
        Counters.add(counters.bytesRelayed, FRAME_BYTES);
        Counters.add(counters.mixedFramesSent, 1);
        if (out.send(r, frame) <= 0) {
            Counters.add(counters.datagramsRelayed, -1);
            Counters.add(counters.bytesRelayed, -FRAME_BYTES);
            Counters.add(counters.mixedFramesSent, -1);
            Counters.add(counters.droppedSendFailed, 1);
        }
    }
}
