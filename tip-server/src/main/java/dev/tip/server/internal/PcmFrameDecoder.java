package dev.tip.server.internal;

import java.nio.ByteBuffer;

/**
 * The original's raw PCM: 16-bit little-endian mono samples, exactly one frame of them per
 * datagram. Stateless: one instance serves every speaker. Confined to the relay thread (the
 * caller's buffer is).
 */
final class PcmFrameDecoder implements FrameDecoder {

    /** The one instance. */
    static final PcmFrameDecoder INSTANCE = new PcmFrameDecoder();

    private PcmFrameDecoder() {}

    @Override
    public boolean decode(ByteBuffer buf, int offset, int length, int sequence, short[] frame) {
        if (length != 2 * frame.length) {
            return false;
        }
        for (int i = 0; i < frame.length; i++) {
            frame[i] = buf.getShort(offset + 2 * i);
        }
        return true;
    }
}
