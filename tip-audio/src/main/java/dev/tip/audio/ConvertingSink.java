package dev.tip.audio;

import dev.tip.audio.internal.SampleFifo;
import dev.tip.audio.internal.Sinks;
import dev.tip.audio.internal.StreamConverter;
import dev.tip.core.audio.AudioSink;
import dev.tip.core.voice.AudioFormat;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.Objects;

/**
 * An {@link AudioSink} that takes frames in one format and writes them to another sink in that
 * sink's format: sample rate, channels and frame size are converted as in
 * {@link ConvertingSource}. Confined to one thread, like any sink.
 *
 * <pre>{@code
 * AudioSink speaker = ...;                       // 48000 Hz
 * AudioSink room = ConvertingSink.of(speaker, AudioFormat.ORIGINAL);
 * room.write(frameOf512Samples);
 * }</pre>
 *
 * <p>{@link #close} flushes the resampler's tail, pads a last partial frame with silence, writes
 * it and closes the wrapped sink. Steady state allocates nothing.
 */
public final class ConvertingSink implements AudioSink {
    private final AudioSink sink;
    private final AudioFormat format;
    private final StreamConverter converter;
    private final SampleFifo fifo;
    private final short[] sinkFrame;
    private boolean closed;

    private ConvertingSink(AudioSink sink, AudioFormat format) {
        this.sink = sink;
        this.format = format;
        this.converter = new StreamConverter(format, sink.format());
        this.fifo = converter.output();
        this.sinkFrame = new short[sink.format().frameLength()];
    }

    /**
     * Returns a sink that takes frames in {@code format} and writes them to {@code sink}
     * converted; {@code sink} itself if it already takes that format.
     *
     * @param sink the sink to write to; closed when the result is closed
     * @param format the format of the frames the caller will write
     * @return a sink taking {@code format}
     */
    public static AudioSink of(AudioSink sink, AudioFormat format) {
        Objects.requireNonNull(sink, "sink");
        Objects.requireNonNull(format, "format");
        if (sink.format().equals(format)) {
            return sink;
        }
        return new ConvertingSink(sink, format);
    }

    @Override
    public AudioFormat format() {
        return format;
    }

    @Override
    public void write(short[] samples, int offset, int length) throws IOException {
        Sinks.checkPart(format, length);
        converter.push(samples, offset, length / format.channels());
        if (sink.isRealTime()) {
            flushAll(); // a device gets each part at once: a sample waits for the device, not its frame
        } else {
            flushFullFrames();
        }
    }

    @Override
    public boolean isRealTime() {
        return sink.isRealTime();
    }

    /** Writes the remaining audio (the last frame padded with silence) and closes the wrapped sink. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            converter.drain();
            flushFullFrames();
            int rest = fifo.size();
            if (rest > 0) {
                fifo.take(sinkFrame, 0, rest);
                Arrays.fill(sinkFrame, rest, sinkFrame.length, (short) 0);
                sink.write(sinkFrame);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not write the last frame to " + sink, e);
        } finally {
            sink.close();
        }
    }

    private void flushAll() throws IOException {
        int length = sinkFrame.length;
        while (fifo.size() > 0) {
            int n = Math.min(length, fifo.size());
            fifo.take(sinkFrame, 0, n);
            sink.write(sinkFrame, 0, n);
        }
    }

    private void flushFullFrames() throws IOException {
        int length = sinkFrame.length;
        while (fifo.size() >= length) {
            fifo.take(sinkFrame, 0, length);
            sink.write(sinkFrame);
        }
    }

    @Override
    public String toString() {
        return "ConvertingSink[" + format + " -> " + sink + "]";
    }
}
