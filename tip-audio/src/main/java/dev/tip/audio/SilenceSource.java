package dev.tip.audio;

import dev.tip.core.audio.AudioSource;
import dev.tip.core.voice.AudioFormat;
import java.util.Arrays;
import java.util.Objects;

/** A source of digital silence that never ends; the caller paces it. Confined to one thread. */
public final class SilenceSource implements AudioSource {
    private final AudioFormat format;

    /**
     * Creates a silence source.
     *
     * @param format the format of the frames
     */
    public SilenceSource(AudioFormat format) {
        this.format = Objects.requireNonNull(format, "format");
    }

    @Override
    public AudioFormat format() {
        return format;
    }

    @Override
    public boolean read(short[] frame) {
        Arrays.fill(frame, 0, format.frameLength(), (short) 0);
        return true;
    }
}
