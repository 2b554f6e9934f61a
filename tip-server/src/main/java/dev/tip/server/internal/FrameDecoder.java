package dev.tip.server.internal;

import java.nio.ByteBuffer;

/**
 * Turns one speaker's voice payload into the room's samples for the server's mix: raw PCM today
 * ({@link PcmFrameDecoder}, stateless and shared) or a codec's packets ({@link CodecFrameDecoder},
 * one per TIP/2 speaker because it keeps state between packets). Confined to the relay thread.
 */
interface FrameDecoder {

    /**
     * Decodes the payload at {@code [offset, offset + length)} of {@code buf} (absolute indices;
     * position and limit are left alone) into one frame.
     *
     * @param buf the receive buffer (little-endian)
     * @param offset where the payload starts
     * @param length its length in bytes
     * @param sequence its 16-bit sequence number (a codec conceals what a gap lost)
     * @param frame where the frame's {@code frame.length} samples go
     * @return false if this payload is not one whole frame this decoder can mix (nothing written
     *     that the caller may use)
     */
    boolean decode(ByteBuffer buf, int offset, int length, int sequence, short[] frame);
}
