package dev.tip.core.audio;

import dev.tip.core.voice.AudioFormat;
import java.io.IOException;

/**
 * Where a client's received audio goes: speakers, a file, or the application's own code.
 * Confined to one thread: the client's playout thread calls {@code write} and {@link #close}.
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
     * Takes the next {@code length} samples, any part of a frame up to a whole one: the client
     * plays out in parts of a frame (a quarter of the room's 512-sample frame, 6.4 ms), so that
     * each part is mixed from the jitter buffers as late as the device allows. A real-time sink passes
     * them on to its device at once; a file may collect them. The sink must not keep a reference
     * to the array after returning.
     *
     * @param samples the samples, interleaved when stereo
     * @param offset index of the first sample
     * @param length number of samples: 1 .. {@code format().frameLength()}, a multiple of the
     *     channel count
     * @throws IOException if the device or file fails
     */
    void write(short[] samples, int offset, int length) throws IOException;

    /**
     * Takes one whole frame of {@code format().frameLength()} samples: {@code write(frame, 0,
     * frame.length)}.
     *
     * @param frame the samples, interleaved when stereo
     * @throws IOException if the device or file fails
     */
    default void write(short[] frame) throws IOException {
        write(frame, 0, format().frameLength());
    }

    /**
     * Tells whether {@code write} blocks on a device clock (a speaker).
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
