package dev.tip.audio.internal;

import dev.tip.core.audio.AudioSource;
import dev.tip.core.voice.AudioFormat;
import javax.sound.sampled.TargetDataLine;

/**
 * Frames read from an opened and started capture line, in the line's own format (16-bit signed
 * little-endian). Confined to the capture thread; {@link #read} blocks until a frame is captured.
 */
public final class TargetLineSource implements AudioSource {
    private final TargetDataLine line;
    private final AudioFormat format;
    private final byte[] bytes;

    /**
     * Wraps a line.
     *
     * @param line an opened, started line in 16-bit signed little-endian PCM
     * @param format the line's rate and channels, and the frame size to read
     */
    public TargetLineSource(TargetDataLine line, AudioFormat format) {
        this.line = line;
        this.format = format;
        this.bytes = new byte[format.frameBytes()];
    }

    @Override
    public AudioFormat format() {
        return format;
    }

    @Override
    public boolean read(short[] frame) {
        int filled = 0;
        while (filled < bytes.length) {
            int n = line.read(bytes, filled, bytes.length - filled);
            if (n <= 0 && !line.isOpen()) {
                return false; // closed under us: the end of this source
            }
            filled += Math.max(n, 0);
        }
        int count = format.frameLength();
        for (int i = 0; i < count; i++) {
            frame[i] = (short) ((bytes[2 * i] & 0xff) | (bytes[2 * i + 1] << 8));
        }
        return true;
    }

    @Override
    public boolean isRealTime() {
        return true;
    }

    @Override
    public void close() {
        line.stop();
        line.close();
    }
}
