package dev.tip.core.audio;

import dev.tip.core.voice.AudioFormat;
import java.io.IOException;

/**
 * Where a client's voice comes from: a microphone, a file, a tone, or the application's own audio.
 * Confined to one thread: the client's capture thread calls {@link #read} and {@link #close}.
 *
 * <p>A source is either paced by a real-time clock of its own ({@link #isRealTime()} is true:
 * a microphone blocks in {@code read} until a frame has been captured), or it produces frames as
 * fast as asked and the caller paces it (a file, a tone).
 *
 * <pre>{@code
 * AudioSource silence = new AudioSource() {
 *     public AudioFormat format() { return AudioFormat.ORIGINAL; }
 *     public boolean read(short[] frame) { java.util.Arrays.fill(frame, (short) 0); return true; }
 * };
 * }</pre>
 */
public interface AudioSource extends AutoCloseable {

    /**
     * Returns the format of the frames this source produces.
     *
     * @return the source's format; never changes
     */
    AudioFormat format();

    /**
     * Fills {@code frame} with the next frame: {@code format().frameLength()} samples, interleaved
     * when stereo.
     *
     * @param frame the array to fill, at least {@code format().frameLength()} long
     * @return true if a frame was written, false at the end of the source (nothing written)
     * @throws IOException if the device or file fails
     */
    boolean read(short[] frame) throws IOException;

    /**
     * Tells whether {@link #read} blocks until real time has produced the frame (a capture device).
     *
     * @return true for a device paced by its own clock; false (the default) if the caller paces
     */
    default boolean isRealTime() {
        return false;
    }

    /** Releases the device or file. The default does nothing. */
    @Override
    default void close() {}
}
