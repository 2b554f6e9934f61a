package dev.tip.core.internal;

import dev.tip.core.voice.AudioFormat;
import dev.tip.core.voice.PayloadType;
import dev.tip.core.voice.VoiceDatagram;
import java.nio.ByteBuffer;

/**
 * The TIP/2 send path of one client: turns captured frames into voice datagrams (header + PCM) in
 * one reused buffer. The sequence number grows by one per datagram sent; the timestamp grows by a
 * frame's samples per frame captured, sent or not (muted, not yet bound, or lost to a gap of the
 * source), so that a receiver sees the pause in the timestamps; the marker is set on the first
 * frame sent after any frame that was not. Allocates nothing after construction. Confined to the
 * capture thread.
 */
public final class VoiceSender {
    /** Longest codec packet a datagram carries (Opus's largest is 1275 bytes). */
    public static final int MAX_PAYLOAD = 1275;

    private final int senderId;
    private final int samplesPerFrame;
    private final int frameLength;
    private final ByteBuffer datagram;
    private final VoiceDatagram header = new VoiceDatagram();
    private int sequence;
    private long timestamp;
    private boolean marker = true;

    /**
     * Creates the send path of a session.
     *
     * @param format the room's format
     * @param senderId the session id, written as the sender id
     * @param firstSequence the first sequence number (random, as RTP suggests, or 0 in tests)
     * @param firstTimestamp the first timestamp
     */
    public VoiceSender(AudioFormat format, int senderId, int firstSequence, long firstTimestamp) {
        this.senderId = senderId;
        this.samplesPerFrame = format.samplesPerFrame();
        this.frameLength = format.frameLength();
        this.datagram =
                ByteBuffer.allocateDirect(VoiceDatagram.HEADER_LENGTH + Math.max(format.frameBytes(), MAX_PAYLOAD));
        header.wrap(datagram, 0, datagram.capacity());
        this.sequence = firstSequence & 0xFFFF;
        this.timestamp = firstTimestamp & 0xFFFF_FFFFL;
    }

    /**
     * Accounts for {@code frames} captured frames that are not sent: the timestamp moves on and
     * the next frame sent starts a talk spurt.
     *
     * @param frames frames skipped, at least 0
     */
    public void skip(long frames) {
        if (frames <= 0) {
            return;
        }
        timestamp = (timestamp + frames * samplesPerFrame) & 0xFFFF_FFFFL;
        marker = true;
    }

    /**
     * Writes the datagram of one frame and moves the sequence and timestamp on.
     *
     * @param frame the frame's samples, {@code format.frameLength()} of them
     * @return the reused buffer, position 0 and limit at the datagram's end, ready to send; valid
     *     until the next call
     */
    public ByteBuffer encode(short[] frame) {
        header.writeHeader(marker, PayloadType.PCM, senderId, sequence, timestamp);
        int p = VoiceDatagram.HEADER_LENGTH;
        for (int i = 0; i < frameLength; i++) {
            short s = frame[i];
            datagram.put(p++, (byte) s);
            datagram.put(p++, (byte) (s >> 8));
        }
        marker = false;
        sequence = (sequence + 1) & 0xFFFF;
        timestamp = (timestamp + samplesPerFrame) & 0xFFFF_FFFFL;
        datagram.limit(VoiceDatagram.HEADER_LENGTH + 2 * frameLength).position(0);
        return datagram;
    }

    /**
     * Writes a codec packet behind the next header, for {@code duration} timestamp units, and
     * advances the sequence number and the timestamp.
     *
     * @param payloadType the codec's payload type
     * @param packet the packet's bytes, from index 0
     * @param length its length, at most {@value #MAX_PAYLOAD}
     * @param duration the timestamp units it covers (960 for 20 ms of Opus)
     * @return the datagram, position 0, limit its end; valid until the next call
     */
    public ByteBuffer encodePacket(int payloadType, byte[] packet, int length, int duration) {
        header.writeHeader(marker, payloadType, senderId, sequence, timestamp);
        datagram.limit(datagram.capacity()).position(VoiceDatagram.HEADER_LENGTH);
        datagram.put(packet, 0, length);
        datagram.limit(VoiceDatagram.HEADER_LENGTH + length).position(0);
        marker = false;
        sequence = (sequence + 1) & 0xFFFF;
        timestamp = (timestamp + duration) & 0xFFFF_FFFFL;
        return datagram;
    }

    /**
     * Lets timestamp units pass without sending (codec silence, mute); the next datagram starts a
     * talk spurt.
     *
     * @param units timestamp units
     */
    public void skipUnits(long units) {
        if (units <= 0) {
            return;
        }
        timestamp = (timestamp + units) & 0xFFFF_FFFFL;
        marker = true;
    }

    /**
     * Returns the sequence number of the next datagram.
     *
     * @return 0..65535
     */
    public int nextSequence() {
        return sequence;
    }

    /**
     * Returns the timestamp of the next frame.
     *
     * @return 0..2^32-1
     */
    public long nextTimestamp() {
        return timestamp;
    }

    /**
     * Builds a HELLO or KEEPALIVE: header (no marker, sequence and timestamp 0) and the token.
     *
     * @param payloadType {@link PayloadType#HELLO} or {@link PayloadType#KEEPALIVE}
     * @param senderId the session id
     * @param token the session's token
     * @return a new buffer of 18 bytes, position 0 (built once per thread and re-sent)
     */
    public static ByteBuffer control(int payloadType, int senderId, long token) {
        ByteBuffer b = ByteBuffer.allocate(VoiceDatagram.HEADER_LENGTH + PayloadType.TOKEN_LENGTH);
        new VoiceDatagram()
                .wrap(b, 0, b.capacity())
                .writeHeader(false, payloadType, senderId, 0, 0)
                .token(token);
        return b;
    }
}
