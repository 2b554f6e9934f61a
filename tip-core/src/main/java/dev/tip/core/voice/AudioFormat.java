package dev.tip.core.voice;

import java.time.Duration;

/**
 * The PCM format of a room or a device: signed 16-bit little-endian samples, interleaved when
 * there is more than one channel, cut into frames of a fixed number of samples per channel.
 * Immutable and thread-safe.
 *
 * <p>{@code AudioFormat.ORIGINAL} is the format of the original dialect: 20000 Hz, mono, 16 bit,
 * 512 samples per frame (1024 bytes, 25.6 ms).
 *
 * @param sampleRate samples per second per channel, 8000..192000
 * @param channels channels, 1 or 2
 * @param bitsPerSample bits per sample; only 16 is supported
 * @param samplesPerFrame samples per channel in one frame, 1..8192
 */
public record AudioFormat(int sampleRate, int channels, int bitsPerSample, int samplesPerFrame) {

    /** The original dialect's format: 20 kHz mono 16-bit, 512 samples (1024 bytes) per frame. */
    public static final AudioFormat ORIGINAL = new AudioFormat(20_000, 1, 16, 512);

    /** Validates every component and names the bad one. */
    public AudioFormat {
        if (sampleRate < 8_000 || sampleRate > 192_000) {
            throw new IllegalArgumentException("sampleRate must be 8000..192000 Hz, was " + sampleRate);
        }
        if (channels < 1 || channels > 2) {
            throw new IllegalArgumentException("channels must be 1 or 2, was " + channels);
        }
        if (bitsPerSample != 16) {
            throw new IllegalArgumentException("bitsPerSample must be 16, was " + bitsPerSample);
        }
        if (samplesPerFrame < 1 || samplesPerFrame > 8192) {
            throw new IllegalArgumentException("samplesPerFrame must be 1..8192, was " + samplesPerFrame);
        }
    }

    /**
     * Returns the number of {@code short} values in one frame (samples per frame times channels).
     *
     * @return the length of a frame array
     */
    public int frameLength() {
        return samplesPerFrame * channels;
    }

    /**
     * Returns the number of bytes of one frame on the wire.
     *
     * @return frame size in bytes
     */
    public int frameBytes() {
        return frameLength() * (bitsPerSample / 8);
    }

    /**
     * Returns how long one frame plays, in nanoseconds.
     *
     * @return frame duration in nanoseconds
     */
    public long frameNanos() {
        return samplesPerFrame * 1_000_000_000L / sampleRate;
    }

    /**
     * Returns how long one frame plays.
     *
     * @return frame duration
     */
    public Duration frameDuration() {
        return Duration.ofNanos(frameNanos());
    }

    /**
     * Returns a copy of this format with another sample rate and frame size, for example the
     * device side of a conversion.
     *
     * @param newSampleRate the sample rate of the copy
     * @param newSamplesPerFrame the frame size of the copy
     * @return the new format
     */
    public AudioFormat withRate(int newSampleRate, int newSamplesPerFrame) {
        return new AudioFormat(newSampleRate, channels, bitsPerSample, newSamplesPerFrame);
    }
}
