package dev.tip.audio;

import dev.tip.core.audio.AudioSink;
import dev.tip.core.voice.AudioFormat;
import java.util.Objects;

/** A sink that discards what it is given; the caller paces it. Confined to one thread. */
public final class NullSink implements AudioSink {
    private final AudioFormat format;

    /**
     * Creates a sink that discards every frame.
     *
     * @param format the format of the frames
     */
    public NullSink(AudioFormat format) {
        this.format = Objects.requireNonNull(format, "format");
    }

    @Override
    public AudioFormat format() {
        return format;
    }

    @Override
    public void write(short[] samples, int offset, int length) {
        // discarded on purpose
    }
}
