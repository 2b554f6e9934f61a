package dev.tip.core.internal.client;

import dev.tip.core.ClientStatistics;
import dev.tip.core.TipClock;
import dev.tip.core.internal.Speakers;
import dev.tip.core.internal.VoiceCounters;
import dev.tip.core.internal.VoiceSender;
import dev.tip.core.voice.AudioFormat;
import dev.tip.core.voice.PayloadType;
import dev.tip.core.voice.VoiceDatagram;
import java.nio.ByteBuffer;
import java.util.concurrent.ThreadLocalRandom;

/**
 * TIP/2's voice (docs/protocol.md): each frame goes out behind the 10-byte header with sequence
 * number and timestamp; received datagrams are checked and go to one jitter buffer per speaker
 * ({@link Speakers}), mixed for playout; HELLO_ACK binds the voice address.
 */
final class Tip2VoicePath implements VoicePath {
    /** A source that delivers nothing for this long had a gap; the next frame starts a talk spurt. */
    private static final long SOURCE_GAP_NANOS = 200_000_000L;

    private final AudioFormat format;
    private final Speakers speakers;
    private final VoiceCounters counters;
    private final ClientSession session;
    private final TipClock clock;
    private final long token;
    private final int ownId;

    // capture thread
    private final VoiceSender sender;
    private long lastFrameNanos;
    private boolean first = true;

    // receive thread
    private final VoiceDatagram datagram = new VoiceDatagram();

    Tip2VoicePath(
            AudioFormat format, Speakers speakers, VoiceCounters counters, ClientSession session, TipClock clock) {
        this.format = format;
        this.speakers = speakers;
        this.counters = counters;
        this.session = session;
        this.clock = clock;
        this.token = session.voiceParameters().token();
        this.ownId = session.sessionId();
        ThreadLocalRandom random = ThreadLocalRandom.current();
        this.sender = new VoiceSender(format, ownId, random.nextInt(0x10000), random.nextLong(0x1_0000_0000L));
    }

    @Override
    public int receiveBufferBytes() {
        return VoiceDatagram.HEADER_LENGTH + 2 * format.frameBytes();
    }

    @Override
    public ByteBuffer encode(short[] frame, long frameNanos, boolean muted) {
        long elapsed = frameNanos - lastFrameNanos;
        if (!first && elapsed > SOURCE_GAP_NANOS) {
            // the source stalled: the frames it did not deliver pass in the timestamps
            sender.skip(Math.max(1, Math.round((double) elapsed / format.frameNanos()) - 1));
        }
        first = false;
        lastFrameNanos = frameNanos;
        if (muted || !session.isVoiceBound()) {
            sender.skip(1);
            return null;
        }
        return sender.encode(frame);
    }

    @Override
    public void receive(ByteBuffer in, int length) {
        VoiceDatagram d = datagram;
        if (d.wrap(in, 0, length).check() != VoiceDatagram.OK) {
            counters.rejected.incrementAndGet();
            return;
        }
        int type = d.payloadType();
        if (type == PayloadType.PCM) {
            if (d.senderId() == ownId) {
                counters.rejected.incrementAndGet();
                return;
            }
            counters.received.incrementAndGet();
            if (speakers.insert(d, clock.nanoTime()) == Speakers.UNKNOWN_SENDER) {
                counters.rejected.incrementAndGet();
            }
        } else if (type == PayloadType.HELLO_ACK) {
            counters.control.incrementAndGet();
            if (d.token() != token) {
                counters.rejected.incrementAndGet();
            } else if (!session.isVoiceBound()) {
                session.voiceBound();
            }
        } else if (PayloadType.isControl(type)) {
            counters.control.incrementAndGet();
        } else {
            // Opus needs a decoder that tip-core does not have; the server sends PCM in PCM rooms
            counters.rejected.incrementAndGet();
        }
    }

    @Override
    public int mix(long nowNanos, short[] out) {
        return speakers.mixNext(nowNanos, out);
    }

    @Override
    public boolean playsWithoutSink() {
        return true;
    }

    @Override
    public ClientStatistics statistics(VoiceCounters c) {
        long[] t = speakers.totals();
        return c.snapshot(t[0], t[1], t[2]);
    }
}
