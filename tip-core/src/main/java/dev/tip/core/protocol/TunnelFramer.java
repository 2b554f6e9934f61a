package dev.tip.core.protocol;

import java.nio.ByteBuffer;

/**
 * TIP/2's voice tunnel on the control connection (docs/protocol.md, "Voice over the control
 * connection"): a voice datagram travels on the TCP stream as one <em>tunnel frame</em>, the byte
 * {@code 0x00}, the datagram's length in two bytes (big-endian, 1..{@link #MAX_DATAGRAM}), then the
 * datagram's bytes exactly as they would go over UDP. No valid JSON text contains a raw
 * {@code 0x00} (RFC 8259 allows only whitespace between tokens and escapes every control character
 * inside strings), so a frame can never be mistaken for part of a control message and the
 * {@link ControlDecoder} never sees one: this splitter sits in front of it, hands it the bytes
 * between frames and the frames to the caller. Only peers that negotiated {@code "TUNNEL"} send
 * frames, so an original peer never receives one.
 *
 * <p>Not thread-safe: confined to the thread that reads the connection, like the decoder. Holds
 * one buffer for a frame split across reads, made the first time one is; allocates nothing per
 * frame.
 */
public final class TunnelFramer {

    /** The byte that starts a tunnel frame. */
    public static final byte MARKER = 0x00;
    /** Bytes in front of the datagram: the marker and the length. */
    public static final int HEADER_BYTES = 3;
    /** Longest datagram a frame may carry (a sealed 1024-byte payload with header is 1054). */
    public static final int MAX_DATAGRAM = 2048;

    /** Where the pieces of the stream go. Called on the reading thread. */
    public interface Sink {
        /**
         * Bytes of the JSON control stream, in order; the callee consumes them before returning
         * (feeds them to its decoder and takes every complete message out).
         *
         * @param buf the bytes
         * @param off where they start
         * @param len how many (at least 1)
         * @return true to go on, false to stop splitting this chunk (the session ended)
         */
        boolean control(byte[] buf, int off, int len);

        /**
         * One tunnelled datagram; the bytes are valid only during the call.
         *
         * @param buf the bytes
         * @param off where the datagram starts
         * @param len its length
         * @return true to go on, false to stop
         */
        boolean datagram(byte[] buf, int off, int len);
    }

    private final int maxDatagram;
    /** A frame split across reads collects here; made the first time one is. */
    private byte[] frame;
    /** -1: between frames; 0..2: header bytes read so far; 3: reading the body. */
    private int state = -1;

    private int length;
    private int have;
    private String error;

    /** Creates a splitter that takes datagrams up to {@link #MAX_DATAGRAM} bytes. */
    public TunnelFramer() {
        this(MAX_DATAGRAM);
    }

    /**
     * Creates a splitter.
     *
     * @param maxDatagram the longest datagram accepted, 1..{@link #MAX_DATAGRAM}
     */
    public TunnelFramer(int maxDatagram) {
        if (maxDatagram < 1 || maxDatagram > MAX_DATAGRAM) {
            throw new IllegalArgumentException("maxDatagram must be 1.." + MAX_DATAGRAM + ": " + maxDatagram);
        }
        this.maxDatagram = maxDatagram;
    }

    /**
     * Writes a frame header for a datagram of {@code length} bytes.
     *
     * @param out where, at its position (which moves on by {@link #HEADER_BYTES})
     * @param length the datagram's length, 1..{@link #MAX_DATAGRAM}
     */
    public static void writeHeader(ByteBuffer out, int length) {
        if (length < 1 || length > MAX_DATAGRAM) {
            throw new IllegalArgumentException("tunnel datagram length must be 1.." + MAX_DATAGRAM + ": " + length);
        }
        out.put(MARKER).put((byte) (length >>> 8)).put((byte) length);
    }

    /**
     * The error that stopped the stream (a frame of length 0 or longer than allowed), or null.
     *
     * @return the error in words, or null
     */
    public String error() {
        return error;
    }

    /**
     * Tells whether a frame has begun and not ended (the stream ending now cuts it off).
     *
     * @return true inside a frame
     */
    public boolean insideFrame() {
        return state >= 0;
    }

    /**
     * Splits the next chunk of the stream.
     *
     * @param buf the bytes read
     * @param off where they start
     * @param len how many
     * @param sink where the pieces go
     * @return false if the sink said stop or the stream is out of step ({@link #error()} says why)
     */
    public boolean split(byte[] buf, int off, int len, Sink sink) {
        if (error != null) {
            return false;
        }
        int i = off;
        int end = off + len;
        while (i < end) {
            if (state < 0) {
                int start = i;
                while (i < end && buf[i] != MARKER) {
                    i++;
                }
                if (i > start && !sink.control(buf, start, i - start)) {
                    return false;
                }
                if (i < end) {
                    // the marker
                    i++;
                    state = 0;
                    length = 0;
                }
                continue;
            }
            if (state < 2) {
                length = (length << 8) | (buf[i++] & 0xFF);
                state++;
                if (state == 2) {
                    if (length < 1 || length > maxDatagram) {
                        error = "tunnel frame of " + length + " bytes (1.." + maxDatagram + " allowed)";
                        return false;
                    }
                    state = 3;
                    have = 0;
                }
                continue;
            }
            int take = Math.min(end - i, length - have);
            if (have == 0 && take == length) {
                // the whole datagram is in this chunk: no copy
                i += take;
                state = -1;
                if (!sink.datagram(buf, i - take, take)) {
                    return false;
                }
                continue;
            }
            if (frame == null) {
                frame = new byte[maxDatagram];
            }
            System.arraycopy(buf, i, frame, have, take);
            have += take;
            i += take;
            if (have == length) {
                state = -1;
                if (!sink.datagram(frame, 0, length)) {
                    return false;
                }
            }
        }
        return true;
    }
}
