package dev.tip.server.internal;

import dev.tip.server.AudioTap;
import java.nio.ByteBuffer;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One {@link AudioTap} of a room: the relay thread hands it frames (copied here: a tapped room
 * costs one small array per frame, an untapped room nothing), a thread of its own delivers them
 * to the tap in order. The queue is bounded; when the tap falls behind, the newest frame is
 * dropped and counted, and the relay never waits.
 *
 * <p>Threading: {@link #speaker} and {@link #mixed} on the relay thread; the rest thread-safe.
 */
public final class TapSink implements Runnable {

    private static final Logger LOG = LoggerFactory.getLogger(TapSink.class);
    /** About 5 s of frames of a few speakers. */
    static final int CAPACITY = 512;

    private record Frame(int speaker, short[] pcm) {}

    /** The speaker id of a mixed frame. */
    private static final int MIXED = -1;

    private final AudioTap tap;
    private final int room;
    private final ArrayBlockingQueue<Frame> queue = new ArrayBlockingQueue<>(CAPACITY);
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong delivered = new AtomicLong();
    private volatile boolean open = true;

    /**
     * Creates the sink of a tap on room {@code room}.
     *
     * @param tap the application's tap
     * @param room the room id
     */
    public TapSink(AudioTap tap, int room) {
        this.tap = tap;
        this.room = room;
    }

    /** @return the room id */
    public int room() {
        return room;
    }

    /** @return frames dropped because the tap fell behind */
    public long dropped() {
        return dropped.get();
    }

    /** @return frames handed to the tap */
    public long delivered() {
        return delivered.get();
    }

    void speaker(int id, short[] frame) {
        offer(new Frame(id, frame.clone()));
    }

    void mixed(ByteBuffer frame) {
        short[] pcm = new short[Mixer.FRAME_LENGTH];
        for (int i = 0; i < pcm.length; i++) {
            pcm[i] = frame.getShort(frame.position() + 2 * i);
        }
        offer(new Frame(MIXED, pcm));
    }

    private void offer(Frame f) {
        if (open && !queue.offer(f)) {
            dropped.incrementAndGet();
        }
    }

    /** Stops delivering; the thread ends soon after. */
    public void close() {
        open = false;
    }

    @Override
    public void run() {
        try {
            while (open || !queue.isEmpty()) {
                Frame f = queue.poll(100, TimeUnit.MILLISECONDS);
                if (f == null || !open) {
                    continue;
                }
                try {
                    if (f.speaker() == MIXED) {
                        tap.mixedFrame(f.pcm());
                    } else {
                        tap.speakerFrame(f.speaker(), f.pcm());
                    }
                    delivered.incrementAndGet();
                } catch (RuntimeException e) {
                    LOG.warn("an audio tap threw", e);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
