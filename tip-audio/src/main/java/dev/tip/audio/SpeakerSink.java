package dev.tip.audio;

import dev.tip.audio.internal.SourceLineSink;
import dev.tip.core.audio.AudioSink;
import dev.tip.core.voice.AudioFormat;
import java.io.IOException;
import java.time.Duration;
import java.util.Objects;
import javax.sound.sampled.SourceDataLine;

/**
 * A sink that plays through speakers (a Java Sound playback line) in real time: {@link #write}
 * blocks while the device buffer is full, which paces the playout. The device is opened at a rate
 * it supports (48000, 44100, ... Hz) and frames are converted to it. Confined to the playout
 * thread.
 *
 * <pre>{@code
 * try (AudioSink speaker = SpeakerSink.open(AudioFormat.ORIGINAL, null)) { speaker.write(frame); }
 * }</pre>
 */
public final class SpeakerSink implements AudioSink {
    /**
     * Default playback buffer: two 20 ms frames, enough to absorb a late playout wake-up; every
     * millisecond here is mouth-to-ear delay, so it is no larger than that.
     */
    public static final Duration DEFAULT_BUFFER = Duration.ofMillis(40);
    /** The smallest buffer {@link #open(AudioFormat, String, Duration)} takes. */
    public static final Duration MIN_BUFFER = Duration.ofMillis(10);

    private final AudioFormat format;
    private final AudioFormat deviceFormat;
    private final String deviceName;
    private final AudioSink converted;

    private SpeakerSink(AudioFormat format, DeviceLines.Opened opened) {
        this.format = format;
        this.deviceFormat = opened.format();
        this.deviceName = opened.deviceName();
        this.converted = ConvertingSink.of(new SourceLineSink((SourceDataLine) opened.line(), deviceFormat), format);
    }

    /**
     * Opens and starts a playback device.
     *
     * @param format the format of the frames that will be written
     * @param device a device name from {@link AudioDevices#playback()} (exact, or a part of it
     *     ignoring case), or null for the default device
     * @return the started sink
     * @throws AudioDeviceException if there is no such device or it cannot be opened; the message
     *     names the alternatives ({@code wav:FILE}, {@code null})
     */
    public static SpeakerSink open(AudioFormat format, String device) {
        return open(format, device, DEFAULT_BUFFER);
    }

    /**
     * Opens and starts a playback device with a buffer of the given length.
     *
     * @param format the format of the frames that will be written
     * @param device a device name, or null for the default device
     * @param buffer how much audio the device buffers: at least {@link #MIN_BUFFER}, at most 1 s
     * @return the started sink
     * @throws AudioDeviceException if there is no such device or it cannot be opened
     */
    public static SpeakerSink open(AudioFormat format, String device, Duration buffer) {
        Objects.requireNonNull(format, "format");
        int millis = bufferMillis(buffer);
        DeviceLines.Opened opened = DeviceLines.open(false, format, device, millis);
        opened.line().start();
        return new SpeakerSink(format, opened);
    }

    static int bufferMillis(Duration buffer) {
        Objects.requireNonNull(buffer, "buffer");
        if (buffer.compareTo(MIN_BUFFER) < 0 || buffer.compareTo(Duration.ofSeconds(1)) > 0) {
            throw new IllegalArgumentException("buffer must be 10 ms..1 s, was " + buffer.toMillis() + " ms");
        }
        return (int) buffer.toMillis();
    }

    /**
     * Returns the format the device was opened with.
     *
     * @return the device side of the conversion
     */
    public AudioFormat deviceFormat() {
        return deviceFormat;
    }

    /**
     * Returns the name of the device opened ({@code "default"} for Java Sound's default).
     *
     * @return the device name
     */
    public String deviceName() {
        return deviceName;
    }

    @Override
    public AudioFormat format() {
        return format;
    }

    @Override
    public void write(short[] samples, int offset, int length) throws IOException {
        converted.write(samples, offset, length);
    }

    @Override
    public boolean isRealTime() {
        return true;
    }

    /** Plays what is buffered, then releases the device. */
    @Override
    public void close() {
        converted.close();
    }

    @Override
    public String toString() {
        return "SpeakerSink[" + deviceName + ", " + format + " -> " + deviceFormat + "]";
    }
}
