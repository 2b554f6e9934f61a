package dev.tip.audio.internal;

import dev.tip.core.audio.AudioSink;
import dev.tip.core.voice.AudioFormat;
import javax.sound.sampled.SourceDataLine;

/**
 * Frames written to an opened and started playback line, in the line's own format (16-bit signed
 * little-endian). Confined to the playout thread; {@link #write} blocks while the line's buffer is
 * full.
 */
public final class SourceLineSink implements AudioSink {
    private final SourceDataLine line;
    private final AudioFormat format;
    private final byte[] bytes;

    /**
     * Wraps a line.
     *
     * @param line an opened, started line in 16-bit signed little-endian PCM
     * @param format the line's rate and channels, and the frame size written
     */
    public SourceLineSink(SourceDataLine line, AudioFormat format) {
        this.line = line;
        this.format = format;
        this.bytes = new byte[format.frameBytes()];
    }

    @Override
    public AudioFormat format() {
        return format;
    }

    @Override
    public void write(short[] samples, int offset, int length) {
        Sinks.checkPart(format, length);
        for (int i = 0; i < length; i++) {
            short s = samples[offset + i];
            bytes[2 * i] = (byte) s;
            bytes[2 * i + 1] = (byte) (s >> 8);
        }
        int n = 2 * length;
        int written = 0;
        while (written < n && line.isOpen()) {
            written += line.write(bytes, written, n - written);
        }
    }

    @Override
    public boolean isRealTime() {
        return true;
    }

    /** Plays what is buffered, then releases the line. */
    @Override
    public void close() {
        if (line.isOpen()) {
            line.drain();
            line.stop();
            line.close();
        }
    }
}
