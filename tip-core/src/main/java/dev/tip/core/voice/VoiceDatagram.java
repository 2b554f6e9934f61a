package dev.tip.core.voice;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A flyweight over one TIP/2 voice datagram in a {@link ByteBuffer}: reads and writes the
 * 10-byte big-endian header in place and locates the payload, allocating nothing. Not
 * thread-safe: confined to the thread that wraps it (one instance per receive or send thread,
 * re-wrapped for every datagram).
 *
 * <p>The layout (docs/protocol.md, "Voice datagram"):
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |V=2|M|S| zero  | payload type  |       sender session id       |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |        sequence number        |     timestamp (high 16 bits)  |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |     timestamp (low 16 bits)   |  payload ...
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 *
 * <p>Receiving: wrap, then {@link #check()} (the version is checked first), then read.
 * <pre>{@code
 * VoiceDatagram d = new VoiceDatagram();
 * if (d.wrap(buffer, 0, buffer.limit()).check() == VoiceDatagram.OK) {
 *     jitterBuffer.insert(d.sequence(), d.timestamp(), d.marker(),
 *             d.buffer(), d.payloadOffset(), d.payloadLength(), nowNanos);
 * }
 * }</pre>
 * Sending: wrap a buffer with room for the header and the payload, then
 * {@link #writeHeader(boolean, int, int, int, long)} and put the payload at {@link #payloadOffset()}.
 *
 * <p>Multi-byte fields are read and written big-endian with absolute indexes whatever the buffer's
 * {@code order()}; its {@code position()} and {@code order()} are never changed.
 */
public final class VoiceDatagram {

    /** The version this class reads and writes: 2 (bits 7-6 of byte 0). */
    public static final int VERSION = 2;

    /** Offset of the flags byte: version (bits 7-6), marker (bit 5), sealed (bit 4), zero (bits 3-0). */
    public static final int OFFSET_FLAGS = 0;
    /** Length of the flags byte. */
    public static final int LENGTH_FLAGS = 1;
    /** Offset of the payload type byte. */
    public static final int OFFSET_PAYLOAD_TYPE = 1;
    /** Length of the payload type. */
    public static final int LENGTH_PAYLOAD_TYPE = 1;
    /** Offset of the sender session id, unsigned 16 bits. */
    public static final int OFFSET_SENDER_ID = 2;
    /** Length of the sender session id. */
    public static final int LENGTH_SENDER_ID = 2;
    /** Offset of the sequence number, unsigned 16 bits. */
    public static final int OFFSET_SEQUENCE = 4;
    /** Length of the sequence number. */
    public static final int LENGTH_SEQUENCE = 2;
    /** Offset of the timestamp in samples, unsigned 32 bits. */
    public static final int OFFSET_TIMESTAMP = 6;
    /** Length of the timestamp. */
    public static final int LENGTH_TIMESTAMP = 4;
    /** Length of the whole header; the payload starts here. */
    public static final int HEADER_LENGTH = 10;

    /** Mask of the version bits in the flags byte. */
    public static final int VERSION_MASK = 0xC0;
    /** Shift of the version bits in the flags byte. */
    public static final int VERSION_SHIFT = 6;
    /** The marker bit in the flags byte: first frame of a talk spurt. */
    public static final int MARKER_BIT = 0x20;
    /**
     * The sealed bit in the flags byte: the datagram is AEAD-protected (docs/protocol.md, "Sealed
     * datagram"): the header is followed by a 4-byte packet number, the encrypted payload and a
     * 16-byte tag.
     */
    public static final int SEALED_BIT = 0x10;
    /** The bits of the flags byte that must be zero. */
    public static final int RESERVED_MASK = 0x0F;
    /** Length of the packet number after the header of a sealed datagram. */
    public static final int PACKET_NUMBER_LENGTH = 4;
    /** Length of a sealed datagram's authentication tag. */
    public static final int TAG_LENGTH = 16;
    /** Bytes a sealed datagram has beyond its plaintext form: packet number and tag, 20. */
    public static final int SEALED_OVERHEAD = PACKET_NUMBER_LENGTH + TAG_LENGTH;

    /** {@link #check()} result: the datagram is well formed. */
    public static final int OK = 0;
    /** {@link #check()} result: shorter than the header. */
    public static final int TOO_SHORT = -1;
    /** {@link #check()} result: the version bits are not 2. */
    public static final int BAD_VERSION = -2;
    /** {@link #check()} result: a reserved flag bit is set. */
    public static final int RESERVED_BITS_SET = -3;
    /** {@link #check()} result: the payload type is not one of {@link PayloadType}. */
    public static final int UNKNOWN_PAYLOAD_TYPE = -4;
    /** {@link #check()} result: a HELLO, HELLO_ACK or KEEPALIVE whose payload is not 8 bytes. */
    public static final int BAD_TOKEN_LENGTH = -5;
    /** {@link #check()} result: an audio datagram without payload. */
    public static final int EMPTY_PAYLOAD = -6;
    /**
     * {@link #check()} result: a sealed datagram too short for its packet number, tag and (audio)
     * one byte of payload, or a sealed HELLO, HELLO_ACK or KEEPALIVE with a payload.
     */
    public static final int BAD_SEALED_LENGTH = -7;

    private ByteBuffer buffer;
    private int offset;
    private int length;

    /** Creates an unwrapped flyweight; call {@link #wrap} before anything else. */
    public VoiceDatagram() {}

    /**
     * Points this flyweight at {@code length} bytes of {@code buffer} from {@code offset}. Checks
     * nothing about the content (see {@link #check()}); only that the range lies in the buffer.
     *
     * @param buffer the bytes; absolute indexes are used, position and limit are ignored
     * @param offset index of the first byte of the datagram
     * @param length the datagram's length in bytes
     * @return this flyweight
     * @throws IllegalArgumentException if the range is outside the buffer's capacity
     */
    public VoiceDatagram wrap(ByteBuffer buffer, int offset, int length) {
        if (offset < 0 || length < 0 || offset > buffer.capacity() - length) {
            throw new IllegalArgumentException(
                    "offset/length " + offset + "/" + length + " outside the buffer's capacity " + buffer.capacity());
        }
        this.buffer = buffer;
        this.offset = offset;
        this.length = length;
        return this;
    }

    /**
     * Validates the wrapped datagram without throwing: length, then version, then the reserved
     * bits, the payload type and the payload length.
     *
     * @return {@link #OK} or one of the negative codes ({@link #TOO_SHORT}, {@link #BAD_VERSION},
     *     {@link #RESERVED_BITS_SET}, {@link #UNKNOWN_PAYLOAD_TYPE}, {@link #BAD_TOKEN_LENGTH},
     *     {@link #EMPTY_PAYLOAD}, {@link #BAD_SEALED_LENGTH})
     */
    public int check() {
        if (length < 1) {
            return TOO_SHORT;
        }
        // version first: a datagram of another version may have any other layout
        if (version() != VERSION) {
            return BAD_VERSION;
        }
        if (length < HEADER_LENGTH) {
            return TOO_SHORT;
        }
        if ((u8(OFFSET_FLAGS) & RESERVED_MASK) != 0) {
            return RESERVED_BITS_SET;
        }
        int type = payloadType();
        if (!PayloadType.isKnown(type)) {
            return UNKNOWN_PAYLOAD_TYPE;
        }
        if (sealed()) {
            // control: packet number and tag only; audio: at least one byte more
            int p = payloadLength() - SEALED_OVERHEAD;
            return (PayloadType.isControl(type) ? p == 0 : p > 0) ? OK : BAD_SEALED_LENGTH;
        }
        if (PayloadType.isControl(type)) {
            return payloadLength() == PayloadType.TOKEN_LENGTH ? OK : BAD_TOKEN_LENGTH;
        }
        return payloadLength() > 0 ? OK : EMPTY_PAYLOAD;
    }

    /**
     * Describes a {@link #check()} code, for logs and counters' names.
     *
     * @param code a result of {@link #check()}
     * @return a short description
     */
    public static String describe(int code) {
        switch (code) {
            case OK:
                return "ok";
            case TOO_SHORT:
                return "shorter than the 10-byte header";
            case BAD_VERSION:
                return "version is not 2";
            case RESERVED_BITS_SET:
                return "reserved flag bits set";
            case UNKNOWN_PAYLOAD_TYPE:
                return "unknown payload type";
            case BAD_TOKEN_LENGTH:
                return "control datagram payload is not the 8-byte token";
            case EMPTY_PAYLOAD:
                return "audio datagram without payload";
            case BAD_SEALED_LENGTH:
                return "sealed datagram of the wrong length";
            default:
                return "unknown code " + code;
        }
    }

    /**
     * Returns the wrapped buffer.
     *
     * @return the buffer given to {@link #wrap}
     */
    public ByteBuffer buffer() {
        return buffer;
    }

    /**
     * Returns the index of the datagram's first byte in {@link #buffer()}.
     *
     * @return the offset given to {@link #wrap}
     */
    public int offset() {
        return offset;
    }

    /**
     * Returns the datagram's length, header included.
     *
     * @return the length given to {@link #wrap}
     */
    public int length() {
        return length;
    }

    /**
     * Returns the version bits (7-6 of byte 0).
     *
     * @return 0..3; 2 for TIP/2
     */
    public int version() {
        return (u8(OFFSET_FLAGS) & VERSION_MASK) >>> VERSION_SHIFT;
    }

    /**
     * Returns the marker bit: set on the first frame of a talk spurt.
     *
     * @return true if set
     */
    public boolean marker() {
        return (u8(OFFSET_FLAGS) & MARKER_BIT) != 0;
    }

    /**
     * Returns the sealed bit: the payload after the header is a packet number, ciphertext and tag.
     *
     * @return true if set
     */
    public boolean sealed() {
        return (u8(OFFSET_FLAGS) & SEALED_BIT) != 0;
    }

    /**
     * Sets or clears the sealed bit, keeping the other flags.
     *
     * @param sealed the sealed bit
     * @return this flyweight
     */
    public VoiceDatagram sealed(boolean sealed) {
        int flags = u8(OFFSET_FLAGS) & ~SEALED_BIT;
        buffer.put(offset + OFFSET_FLAGS, (byte) (sealed ? flags | SEALED_BIT : flags));
        return this;
    }

    /**
     * Returns the payload type code (see {@link PayloadType}).
     *
     * @return 0..255
     */
    public int payloadType() {
        return u8(OFFSET_PAYLOAD_TYPE);
    }

    /**
     * Returns the sender's session id.
     *
     * @return 0..65535
     */
    public int senderId() {
        return u16(OFFSET_SENDER_ID);
    }

    /**
     * Returns the sequence number.
     *
     * @return 0..65535
     */
    public int sequence() {
        return u16(OFFSET_SEQUENCE);
    }

    /**
     * Returns the timestamp in samples at the room's rate.
     *
     * @return 0..4294967295
     */
    public long timestamp() {
        int v = buffer.getInt(offset + OFFSET_TIMESTAMP);
        return (buffer.order() == ByteOrder.BIG_ENDIAN ? v : Integer.reverseBytes(v)) & 0xFFFF_FFFFL;
    }

    /**
     * Returns the index in {@link #buffer()} of the first payload byte.
     *
     * @return {@code offset() + HEADER_LENGTH}
     */
    public int payloadOffset() {
        return offset + HEADER_LENGTH;
    }

    /**
     * Returns the payload's length in bytes.
     *
     * @return {@code length() - HEADER_LENGTH}, or 0 if the datagram is shorter than a header
     */
    public int payloadLength() {
        return Math.max(0, length - HEADER_LENGTH);
    }

    /**
     * Reads the 8-byte token of a HELLO, HELLO_ACK or KEEPALIVE (big-endian). Call after
     * {@link #check()} returned {@link #OK} for a control type.
     *
     * @return the token as a signed 64-bit value
     */
    public long token() {
        long v = 0;
        int p = payloadOffset();
        for (int i = 0; i < PayloadType.TOKEN_LENGTH; i++) {
            v = (v << 8) | (buffer.get(p + i) & 0xFF);
        }
        return v;
    }

    /**
     * Writes the whole header: version 2, the marker, zero reserved bits, and the fields.
     *
     * @param marker the marker bit
     * @param payloadType the payload type code, 0..255
     * @param senderId the sender's session id; only the low 16 bits are written
     * @param sequence the sequence number; only the low 16 bits are written
     * @param timestamp the timestamp; only the low 32 bits are written
     * @return this flyweight
     */
    public VoiceDatagram writeHeader(boolean marker, int payloadType, int senderId, int sequence, long timestamp) {
        buffer.put(offset + OFFSET_FLAGS, (byte) ((VERSION << VERSION_SHIFT) | (marker ? MARKER_BIT : 0)));
        payloadType(payloadType);
        senderId(senderId);
        sequence(sequence);
        timestamp(timestamp);
        return this;
    }

    /**
     * Sets the version bits, keeping the other flags.
     *
     * @param version 0..3
     * @return this flyweight
     */
    public VoiceDatagram version(int version) {
        int flags = u8(OFFSET_FLAGS) & ~VERSION_MASK;
        buffer.put(offset + OFFSET_FLAGS, (byte) (flags | ((version << VERSION_SHIFT) & VERSION_MASK)));
        return this;
    }

    /**
     * Sets or clears the marker bit, keeping the other flags.
     *
     * @param marker the marker bit
     * @return this flyweight
     */
    public VoiceDatagram marker(boolean marker) {
        int flags = u8(OFFSET_FLAGS) & ~MARKER_BIT;
        buffer.put(offset + OFFSET_FLAGS, (byte) (marker ? flags | MARKER_BIT : flags));
        return this;
    }

    /**
     * Sets the payload type.
     *
     * @param payloadType 0..255
     * @return this flyweight
     */
    public VoiceDatagram payloadType(int payloadType) {
        buffer.put(offset + OFFSET_PAYLOAD_TYPE, (byte) payloadType);
        return this;
    }

    /**
     * Sets the sender session id.
     *
     * @param senderId only the low 16 bits are written
     * @return this flyweight
     */
    public VoiceDatagram senderId(int senderId) {
        putU16(OFFSET_SENDER_ID, senderId);
        return this;
    }

    /**
     * Sets the sequence number.
     *
     * @param sequence only the low 16 bits are written
     * @return this flyweight
     */
    public VoiceDatagram sequence(int sequence) {
        putU16(OFFSET_SEQUENCE, sequence);
        return this;
    }

    /**
     * Sets the timestamp.
     *
     * @param timestamp only the low 32 bits are written
     * @return this flyweight
     */
    public VoiceDatagram timestamp(long timestamp) {
        int v = (int) timestamp;
        buffer.putInt(offset + OFFSET_TIMESTAMP, buffer.order() == ByteOrder.BIG_ENDIAN ? v : Integer.reverseBytes(v));
        return this;
    }

    /**
     * Writes the 8-byte token as the payload (big-endian), for HELLO, HELLO_ACK and KEEPALIVE.
     * The wrapped length must be {@code HEADER_LENGTH + 8}.
     *
     * @param token the session's token
     * @return this flyweight
     */
    public VoiceDatagram token(long token) {
        int p = payloadOffset();
        for (int i = PayloadType.TOKEN_LENGTH - 1; i >= 0; i--) {
            buffer.put(p + i, (byte) token);
            token >>>= 8;
        }
        return this;
    }

    private int u8(int field) {
        return buffer.get(offset + field) & 0xFF;
    }

    private int u16(int field) {
        short v = buffer.getShort(offset + field);
        return (buffer.order() == ByteOrder.BIG_ENDIAN ? v : Short.reverseBytes(v)) & 0xFFFF;
    }

    private void putU16(int field, int value) {
        short v = (short) value;
        buffer.putShort(offset + field, buffer.order() == ByteOrder.BIG_ENDIAN ? v : Short.reverseBytes(v));
    }

    @Override
    public String toString() {
        if (buffer == null) {
            return "VoiceDatagram[unwrapped]";
        }
        if (length < HEADER_LENGTH) {
            return "VoiceDatagram[length=" + length + "]";
        }
        return "VoiceDatagram[v=" + version() + " m=" + marker() + (sealed() ? " sealed" : "") + " pt="
                + PayloadType.name(payloadType())
                + " sender=" + senderId() + " seq=" + sequence() + " ts=" + timestamp()
                + " payload=" + payloadLength() + "]";
    }
}
