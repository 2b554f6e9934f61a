package dev.tip.audio.internal;

import dev.tip.core.voice.AudioFormat;

/** Checks shared by the sinks. */
public final class Sinks {

    private Sinks() {}

    /**
     * Checks the length of one {@code AudioSink.write}: a part of a frame up to a whole one, in
     * whole sample frames.
     *
     * @param format the sink's format
     * @param length the number of samples written
     * @throws IllegalArgumentException if the length is out of range
     */
    public static void checkPart(AudioFormat format, int length) {
        if (length < 1 || length > format.frameLength() || length % format.channels() != 0) {
            throw new IllegalArgumentException("a write takes 1.." + format.frameLength() + " samples, a multiple of "
                    + format.channels() + " channels; was " + length);
        }
    }
}
