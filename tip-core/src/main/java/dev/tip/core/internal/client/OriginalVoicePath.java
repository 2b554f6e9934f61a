package dev.tip.core.internal.client;

import dev.tip.core.ClientStatistics;
import dev.tip.core.internal.PlayoutQueue;
import dev.tip.core.internal.VoiceCounters;
import dev.tip.core.voice.AudioFormat;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.ShortBuffer;
import java.util.Arrays;

/**
 * The original dialect's voice: raw 16-bit little-endian mono PCM frames both ways, received frames
 * queued for playout (at most a few, the oldest dropped) and silence when the queue is empty, so
 * delay cannot pile up.
 */
final class OriginalVoicePath implements VoicePath {
    private final AudioFormat format;
    private final PlayoutQueue queue;
    private final VoiceCounters counters;
    private final boolean play;

    // capture thread
    private final ByteBuffer out;
    private final ShortBuffer samples;

    OriginalVoicePath(AudioFormat format, PlayoutQueue queue, VoiceCounters counters, boolean play) {
        this.format = format;
        this.queue = queue;
        this.counters = counters;
        this.play = play;
        this.out = ByteBuffer.allocateDirect(format.frameBytes()).order(ByteOrder.LITTLE_ENDIAN);
        this.samples = out.asShortBuffer();
    }

    @Override
    public int receiveBufferBytes() {
        return 2 * format.frameBytes();
    }

    @Override
    public ByteBuffer encode(short[] frame, long frameNanos, boolean muted) {
        if (muted) {
            return null;
        }
        samples.clear();
        samples.put(frame);
        out.clear();
        return out;
    }

    @Override
    public void receive(ByteBuffer in, int length) {
        counters.received.incrementAndGet();
        if (play) {
            // a longer datagram is cut to a frame, as the original does
            queue.offer(in, Math.min(length, format.frameBytes()));
        } else {
            counters.discarded.incrementAndGet();
        }
    }

    /** A whole frame: the original dialect's queue holds whole frames and has no clock. */
    @Override
    public int playoutPart() {
        return format.frameLength();
    }

    @Override
    public int mix(long nowNanos, short[] out, int length) {
        if (queue.poll(out)) {
            return 1;
        }
        Arrays.fill(out, (short) 0);
        return 0;
    }

    @Override
    public boolean playsWithoutSink() {
        return false;
    }

    @Override
    public ClientStatistics statistics(VoiceCounters c) {
        return c.snapshot(queue.dropped());
    }
}
