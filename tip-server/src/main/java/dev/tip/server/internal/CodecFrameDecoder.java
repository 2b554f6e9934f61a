package dev.tip.server.internal;

import dev.tip.core.audio.VoiceCodec;
import java.nio.ByteBuffer;

/**
 * One TIP/2 speaker's codec packets turned into the mix's 512-sample frames: each packet decodes
 * to {@code packetSamples} samples at the room's rate (400 for 20 ms of Opus at 20 kHz), which
 * collect until a whole frame of the original's 25.6 ms is there. A packet that completes no frame
 * yet reports false; the mix takes the frame when one is complete. A lost packet (a gap in the
 * sequence numbers of up to {@link #MAX_CONCEALED}) is concealed by the codec itself so that the
 * frames keep their timing; a longer gap starts over.
 *
 * <p>Confined to the relay thread (made on the control thread at registration); allocates only in
 * its constructor.
 */
final class CodecFrameDecoder implements FrameDecoder {
    /** Most lost packets concealed in a row; after a longer gap the speaker starts afresh. */
    static final int MAX_CONCEALED = 3;

    private final VoiceCodec.Decoder decoder;
    private final int packetSamples;
    private final byte[] packet = new byte[1500];
    private final short[] decoded;
    private final short[] pending;
    private int pendingLength;
    private boolean any;
    private int lastSequence;

    CodecFrameDecoder(VoiceCodec.Decoder decoder, int packetSamples) {
        this.decoder = decoder;
        this.packetSamples = packetSamples;
        this.decoded = new short[packetSamples];
        this.pending = new short[Mixer.FRAME_LENGTH + (MAX_CONCEALED + 1) * packetSamples];
    }

    /** {@inheritDoc} True once a packet completes a 512-sample frame. */
    @Override
    public boolean decode(ByteBuffer buf, int offset, int length, int sequence, short[] frame) {
        if (length <= 0 || length > packet.length) {
            return false;
        }
        int seq = sequence & 0xFFFF;
        if (any) {
            int ahead = (seq - lastSequence) & 0xFFFF;
            if (ahead == 0 || ahead > 0x8000) {
                return false; // duplicate or late: the mix has moved on
            }
            if (ahead - 1 > MAX_CONCEALED) {
                pendingLength = 0;
            } else {
                for (int i = 1; i < ahead; i++) {
                    decoder.conceal(decoded);
                    append();
                }
            }
        }
        any = true;
        lastSequence = seq;
        buf.get(offset, packet, 0, length);
        if (!decoder.decode(packet, 0, length, decoded)) {
            return take(frame);
        }
        append();
        return take(frame);
    }

    private void append() {
        if (pendingLength + packetSamples > pending.length) {
            pendingLength = 0; // cannot happen with take() after every packet; stay bounded anyway
        }
        System.arraycopy(decoded, 0, pending, pendingLength, packetSamples);
        pendingLength += packetSamples;
    }

    private boolean take(short[] frame) {
        if (pendingLength < Mixer.FRAME_LENGTH) {
            return false;
        }
        System.arraycopy(pending, 0, frame, 0, Mixer.FRAME_LENGTH);
        pendingLength -= Mixer.FRAME_LENGTH;
        System.arraycopy(pending, Mixer.FRAME_LENGTH, pending, 0, pendingLength);
        return true;
    }
}
