package dev.tip.core.internal.client;

import dev.tip.core.ClientStatistics;
import dev.tip.core.TipClock;
import dev.tip.core.audio.VoiceCodec;
import dev.tip.core.internal.Speakers;
import dev.tip.core.internal.VoiceCounters;
import dev.tip.core.internal.VoiceSender;
import dev.tip.core.internal.crypto.DatagramOpener;
import dev.tip.core.internal.crypto.DatagramSealer;
import dev.tip.core.internal.crypto.SessionKeys;
import dev.tip.core.voice.AudioFormat;
import dev.tip.core.voice.PayloadType;
import dev.tip.core.voice.VoiceDatagram;
import java.nio.ByteBuffer;
import java.util.concurrent.ThreadLocalRandom;

/**
 * TIP/2's voice (docs/protocol.md): each frame goes out behind the 10-byte header with sequence
 * number and timestamp; received datagrams are checked and go to one jitter buffer per speaker
 * ({@link Speakers}, which decodes codec packets at arrival), mixed for playout; HELLO_ACK binds
 * the voice address. With a negotiated codec, the room's frames collect in a FIFO and go out as
 * the codec's packets (Opus: 20 ms, one or two per 25.6 ms frame); the codec's silence is
 * not sent.
 *
 * <p>Sealed (the server answered the client's KEY_SHARE; docs/protocol.md, "Voice protection"):
 * every datagram out, voice, HELLO and KEEPALIVE, is sealed with the c2s key under the next packet
 * number (one {@link DatagramSealer}, shared by the capture and keepalive threads under its lock);
 * every datagram in must be sealed and open with the s2c key and a fresh packet number (the
 * {@link DatagramOpener}'s replay window), else it is rejected: forged, tampered, truncated,
 * replayed and plaintext datagrams are counted in {@code datagramsRejected} and never played. A
 * HELLO_ACK that opens binds the voice address (no token: the key proves the server).
 */
final class Tip2VoicePath implements VoicePath {
    /** A source that delivers nothing for this long had a gap; the next frame starts a talk spurt. */
    private static final long SOURCE_GAP_NANOS = 200_000_000L;
    /** Playout calls per frame: 4, 6.4 ms each in the room's format. */
    private static final int PARTS_PER_FRAME = 4;

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
    /** The codec's encoder, or null to send PCM. */
    private final VoiceCodec codec;

    private final VoiceCodec.Encoder encoder;
    private final int packetSamples;
    private final short[] fifo;
    private int fifoLength;
    private final byte[] packet;
    /** Room samples let pass unsent, and the codec's timestamp units already skipped for them. */
    private long skippedSamples;

    private long skippedUnits;

    /** Loss reports out, loss protection in. */
    private final LossFeedback loss;
    // capture thread: the protection the encoder was last given
    private int appliedProtection;

    /** UDP or the tunnel: told what arrived over UDP. */
    private final VoiceRoute route;

    // receive thread and control thread (the tunnel), under receiveLock
    private final Object receiveLock = new Object();
    /** Whether the datagram being received came over UDP (else through the control connection). */
    private boolean viaUdp;

    private final VoiceDatagram datagram = new VoiceDatagram();
    /** The s2c side, or null for plaintext TIP/2. */
    private final DatagramOpener opener;
    /** Where a sealed datagram is opened (a heap array: the JCE works on it in place). */
    private final ByteBuffer opened;

    /** The c2s side, or null for plaintext TIP/2; its monitor guards it (capture and keepalive threads). */
    private final DatagramSealer sealer;
    // capture thread: the sealed copy of each voice datagram
    private final ByteBuffer sealedVoice;
    // keepalive thread: the plaintext HELLO and KEEPALIVE, and the sealed copy
    private final ByteBuffer hello;
    private final ByteBuffer keepalive;
    private final ByteBuffer sealedControl;

    Tip2VoicePath(
            AudioFormat format,
            Speakers speakers,
            VoiceCounters counters,
            ClientSession session,
            TipClock clock,
            VoiceCodec codec,
            int bitrate,
            VoiceRoute route,
            LossFeedback loss) {
        this.format = format;
        this.loss = loss;
        this.route = route;
        this.speakers = speakers;
        this.counters = counters;
        this.session = session;
        this.clock = clock;
        this.token = session.voiceParameters().token();
        this.ownId = session.sessionId();
        ThreadLocalRandom random = ThreadLocalRandom.current();
        this.sender = new VoiceSender(format, ownId, random.nextInt(0x10000), random.nextLong(0x1_0000_0000L));
        SessionKeys keys = session.voiceParameters().keys();
        int header = VoiceDatagram.HEADER_LENGTH;
        if (keys != null) {
            this.sealer = new DatagramSealer(keys.clientToServerKey(), keys.clientToServerIv());
            this.opener = new DatagramOpener(keys.serverToClientKey(), keys.serverToClientIv());
            this.opened = ByteBuffer.allocate(receiveBufferBytes());
            this.sealedVoice = ByteBuffer.allocate(
                    header + Math.max(format.frameBytes(), VoiceSender.MAX_PAYLOAD) + VoiceDatagram.SEALED_OVERHEAD);
            this.sealedControl = ByteBuffer.allocate(header + VoiceDatagram.SEALED_OVERHEAD);
            // sealed HELLO and KEEPALIVE carry no token: the header alone, then packet number and tag
            this.hello = header(PayloadType.HELLO);
            this.keepalive = header(PayloadType.KEEPALIVE);
        } else {
            this.sealer = null;
            this.opener = null;
            this.opened = null;
            this.sealedVoice = null;
            this.sealedControl = null;
            this.hello = VoiceSender.control(PayloadType.HELLO, ownId, token);
            this.keepalive = VoiceSender.control(PayloadType.KEEPALIVE, ownId, token);
        }
        this.codec = codec;
        if (codec != null) {
            this.encoder = codec.newEncoder(format, bitrate);
            this.packetSamples = codec.packetSamples(format);
            this.fifo = new short[format.frameLength() + packetSamples];
            this.packet = new byte[encoder.maxPacketBytes()];
            counters.codec = codec.name();
            counters.bitrate = encoder.bitrate();
        } else {
            this.encoder = null;
            this.packetSamples = 0;
            this.fifo = null;
            this.packet = null;
        }
    }

    private ByteBuffer header(int payloadType) {
        ByteBuffer b = ByteBuffer.allocate(VoiceDatagram.HEADER_LENGTH);
        new VoiceDatagram().wrap(b, 0, b.capacity()).writeHeader(false, payloadType, ownId, 0, 0);
        return b;
    }

    /**
     * Keepalive thread: the HELLO or KEEPALIVE to send now (sealed under a new packet number each
     * time, or the plaintext one with the token).
     *
     * @param payloadType {@link PayloadType#HELLO} or {@link PayloadType#KEEPALIVE}
     * @return the datagram, position 0, limit its end; valid until the next call
     */
    ByteBuffer control(int payloadType) {
        ByteBuffer plain = payloadType == PayloadType.HELLO ? hello : keepalive;
        plain.clear();
        if (sealer == null) {
            return plain;
        }
        int n;
        synchronized (sealer) {
            n = sealer.seal(plain, 0, plain.limit(), sealedControl, 0);
        }
        sealedControl.limit(n).position(0);
        return sealedControl;
    }

    /** Capture thread: the datagram as it goes out, sealed if the session is. */
    private ByteBuffer protect(ByteBuffer plain) {
        if (sealer == null || plain == null) {
            return plain;
        }
        int n;
        synchronized (sealer) {
            n = sealer.seal(plain, 0, plain.limit(), sealedVoice, 0);
        }
        sealedVoice.limit(n).position(0);
        return sealedVoice;
    }

    /** Lets {@code samples} of the room pass unsent: the timestamps move on, the next packet starts a spurt. */
    private void skipSamples(long samples) {
        if (codec == null) {
            sender.skip(samples / format.samplesPerFrame());
            return;
        }
        fifoLength = 0;
        skippedSamples += samples;
        long units = skippedSamples * codec.clockRate() / format.sampleRate();
        sender.skipUnits(units - skippedUnits);
        skippedUnits = units;
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
            skipSamples(Math.max(1, Math.round((double) elapsed / format.frameNanos()) - 1) * format.samplesPerFrame());
        }
        first = false;
        lastFrameNanos = frameNanos;
        if (muted || !session.isVoiceBound()) {
            skipSamples(format.samplesPerFrame());
            return null;
        }
        if (codec == null) {
            return protect(sender.encode(frame));
        }
        System.arraycopy(frame, 0, fifo, fifoLength, format.frameLength());
        fifoLength += format.frameLength();
        return next();
    }

    @Override
    public ByteBuffer next() {
        while (codec != null && fifoLength >= packetSamples) {
            int protection = loss.protection();
            if (protection != appliedProtection) {
                // the worst loss among this speaker's listeners: Opus then carries in-band FEC
                encoder.setPacketLossPercent(protection);
                appliedProtection = protection;
            }
            int length = encoder.encode(fifo, 0, packet, 0);
            fifoLength -= packetSamples;
            System.arraycopy(fifo, packetSamples, fifo, 0, fifoLength);
            if (encoder.isSilence(length)) {
                // silence is not sent; the timestamps move on
                sender.skipUnits(codec.packetDuration());
                continue;
            }
            return protect(sender.encodePacket(codec.payloadType(), packet, length, codec.packetDuration()));
        }
        return null;
    }

    @Override
    public void receive(ByteBuffer in, int length) {
        synchronized (receiveLock) {
            viaUdp = true;
            receiveDatagram(in, length);
        }
    }

    /**
     * Control thread: takes a datagram that came through the control connection, checked exactly
     * as one from UDP (one replay window and one jitter buffer per speaker for both paths).
     *
     * @param in the buffer, the datagram from index 0
     * @param length its length
     */
    void receiveTunnelled(ByteBuffer in, int length) {
        synchronized (receiveLock) {
            viaUdp = false;
            receiveDatagram(in, length);
        }
    }

    /** An accepted HELLO_ACK: the address is bound; over UDP it also proves UDP works both ways. */
    private void helloAcked() {
        if (!session.isVoiceBound()) {
            session.voiceBound();
        }
        if (viaUdp) {
            route.udpAnswered();
        }
    }

    private void receiveDatagram(ByteBuffer in, int length) {
        if (opener != null) {
            receiveSealed(in, length);
            return;
        }
        VoiceDatagram d = datagram;
        if (d.wrap(in, 0, length).check() != VoiceDatagram.OK) {
            counters.rejected.incrementAndGet();
            return;
        }
        int type = d.payloadType();
        if (PayloadType.isAudio(type)) {
            if (d.senderId() == ownId) {
                counters.rejected.incrementAndGet();
                return;
            }
            counters.received.incrementAndGet();
            if (viaUdp) {
                route.udpHeard();
            }
            long now = clock.nanoTime();
            int result = speakers.insert(d, now);
            loss.afterReceive(now, speakers);
            if (result == Speakers.UNKNOWN_SENDER || result == Speakers.WRONG_PAYLOAD || result == Speakers.CORRUPT) {
                counters.rejected.incrementAndGet();
            }
        } else if (type == PayloadType.HELLO_ACK) {
            counters.control.incrementAndGet();
            if (d.token() != token) {
                counters.rejected.incrementAndGet();
            } else {
                helloAcked();
            }
        } else if (PayloadType.isControl(type)) {
            counters.control.incrementAndGet();
        } else {
            counters.rejected.incrementAndGet();
        }
    }

    /** A sealed session takes only sealed datagrams that open under s2c with a fresh packet number. */
    private void receiveSealed(ByteBuffer in, int length) {
        VoiceDatagram d = datagram;
        if (d.wrap(in, 0, length).check() != VoiceDatagram.OK || !d.sealed() || length > opened.capacity()) {
            counters.rejected.incrementAndGet();
            return;
        }
        in.get(0, opened.array(), 0, length);
        int n = opener.open(opened, 0, length);
        if (n < 0) {
            // forged, tampered, truncated or replayed: never played
            counters.rejected.incrementAndGet();
            return;
        }
        d.wrap(opened, 0, n);
        int type = d.payloadType();
        if (PayloadType.isControl(type)) {
            counters.control.incrementAndGet();
            if (type == PayloadType.HELLO_ACK) {
                helloAcked();
            }
            return;
        }
        if (d.senderId() == ownId || d.check() != VoiceDatagram.OK) {
            counters.rejected.incrementAndGet();
            return;
        }
        counters.received.incrementAndGet();
        if (viaUdp) {
            route.udpHeard();
        }
        long now = clock.nanoTime();
        int result = speakers.insert(d, now);
        loss.afterReceive(now, speakers);
        if (result == Speakers.UNKNOWN_SENDER || result == Speakers.WRONG_PAYLOAD || result == Speakers.CORRUPT) {
            counters.rejected.incrementAndGet();
        }
    }

    /**
     * A quarter of a frame (128 samples, 6.4 ms, in the room's format): the jitter buffers decide
     * each part when the sink takes it, so no sample waits in a frame for the ones before it.
     */
    @Override
    public int playoutPart() {
        return Math.max(1, format.samplesPerFrame() / PARTS_PER_FRAME) * format.channels();
    }

    @Override
    public int mix(long nowNanos, short[] out, int length) {
        return speakers.mixNext(nowNanos, out, length);
    }

    @Override
    public boolean playsWithoutSink() {
        return true;
    }

    @Override
    public ClientStatistics statistics(VoiceCounters c) {
        long[] t = speakers.totals();
        return c.snapshot(t[0], t[1], t[2], t[3], speakers.rebuilt(), loss.reported(), loss.protection());
    }
}
