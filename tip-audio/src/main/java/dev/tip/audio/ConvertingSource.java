package dev.tip.audio;

import dev.tip.audio.internal.SampleFifo;
import dev.tip.audio.internal.StreamConverter;
import dev.tip.core.audio.AudioSource;
import dev.tip.core.voice.AudioFormat;
import java.io.IOException;
import java.util.Arrays;
import java.util.Objects;

/**
 * An {@link AudioSource} that reads another source and delivers its audio in a different format:
 * sample rate (windowed-sinc resampling), channels (stereo averaged to mono, mono copied to
 * stereo) and frame size (re-framed through a FIFO). Confined to one thread, like any source.
 *
 * <pre>{@code
 * AudioSource device = ...;                      // 48000 Hz, 960 samples per frame
 * AudioSource room = ConvertingSource.of(device, AudioFormat.ORIGINAL);
 * }</pre>
 *
 * <p>When the wrapped source ends, the resampler's tail is flushed and a last partial frame is
 * padded with silence; then {@link #read} returns false. Steady state allocates nothing.
 */
public final class ConvertingSource implements AudioSource {
    private final AudioSource source;
    private final AudioFormat format;
    private final StreamConverter converter;
    private final SampleFifo fifo;
    private final short[] sourceFrame;
    private boolean ended;

    private ConvertingSource(AudioSource source, AudioFormat format) {
        this.source = source;
        this.format = format;
        this.converter = new StreamConverter(source.format(), format);
        this.fifo = converter.output();
        this.sourceFrame = new short[source.format().frameLength()];
    }

    /**
     * Returns a source delivering {@code source}'s audio in {@code format}; {@code source} itself
     * if it already has that format.
     *
     * @param source the source to convert; closed when the result is closed
     * @param format the format wanted
     * @return a source in {@code format}
     */
    public static AudioSource of(AudioSource source, AudioFormat format) {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(format, "format");
        if (source.format().equals(format)) {
            return source;
        }
        return new ConvertingSource(source, format);
    }

    @Override
    public AudioFormat format() {
        return format;
    }

    @Override
    public boolean read(short[] frame) throws IOException {
        int length = format.frameLength();
        while (fifo.size() < length && !ended) {
            if (source.read(sourceFrame)) {
                converter.push(sourceFrame, 0, source.format().samplesPerFrame());
            } else {
                ended = true;
                converter.drain();
            }
        }
        int available = Math.min(length, fifo.size());
        if (available == 0) {
            return false;
        }
        fifo.take(frame, 0, available);
        Arrays.fill(frame, available, length, (short) 0);
        return true;
    }

    @Override
    public boolean isRealTime() {
        return source.isRealTime();
    }

    @Override
    public void close() {
        source.close();
    }

    @Override
    public String toString() {
        return "ConvertingSource[" + source + " -> " + format + "]";
    }
}
