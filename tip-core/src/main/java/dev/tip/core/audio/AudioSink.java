package dev.tip.core.audio;

import dev.tip.core.voice.AudioFormat;
import java.io.IOException;

/**
 * Where a client's received audio goes: speakers, a file, or the application's own code.
 * Confined to one thread: the client's playout thread calls {@link #write} and {@link #close}.
 *
 * <p>A real-time sink ({@link #isRealTime()} is true, a speaker) blocks in {@code write} while
 * its device buffer is full, and so paces the playout; otherwise the caller paces it.
 */
public interface AudioSink extends AutoCloseable {

    /**
     * Returns the format of the frames this sink takes.
     *
     * @return the sink's format; never changes
     */
    AudioFormat format();

    /**
     * Takes one frame of {@code format().frameLength()} samples. The sink must not keep a
     * reference to the array after returning.
     *
     * @param frame the samples, interleaved when stereo
     * @throws IOException if the device or file fails
     */
    void write(short[] frame) throws IOException;

    /**
     * Tells whether {@link #write} blocks on a device clock (a speaker).
     *
     * @return true for a device paced by its own clock; false (the default) if the caller paces
     */
    default boolean isRealTime() {
        return false;
    }

    /** Flushes and releases the device or file. The default does nothing. */
    @Override
    default void close() {}
}
