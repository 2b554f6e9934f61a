package dev.tip.audio;

import dev.tip.audio.internal.TargetLineSource;
import dev.tip.core.audio.AudioSource;
import dev.tip.core.voice.AudioFormat;
import java.io.IOException;
import java.time.Duration;
import java.util.Objects;
import javax.sound.sampled.TargetDataLine;

/**
 * A source that captures from a microphone (a Java Sound capture line) in real time: {@link #read}
 * blocks until a frame has been captured. The device is opened at a rate it supports (48000,
 * 44100, ... Hz) and its audio converted to the format asked for. Confined to the capture thread;
 * {@link #close} may be called from another thread to end a blocked {@code read}.
 *
 * <pre>{@code
 * try (AudioSource mic = MicrophoneSource.open(AudioFormat.ORIGINAL, null)) { ... }
 * }</pre>
 */
public final class MicrophoneSource implements AudioSource {
    /** Default capture buffer: long enough to ride out a busy capture thread, short for latency. */
    public static final Duration DEFAULT_BUFFER = Duration.ofMillis(60);

    private final AudioFormat format;
    private final TargetDataLine line;
    private final AudioFormat deviceFormat;
    private final String deviceName;
    private final AudioSource converted;

    private MicrophoneSource(AudioFormat format, DeviceLines.Opened opened) {
        this.format = format;
        this.line = (TargetDataLine) opened.line();
        this.deviceFormat = opened.format();
        this.deviceName = opened.deviceName();
        this.converted = ConvertingSource.of(new TargetLineSource(line, deviceFormat), format);
    }

    /**
     * Opens and starts a capture device.
     *
     * @param format the format of the frames wanted
     * @param device a device name from {@link AudioDevices#capture()} (exact, or a part of it
     *     ignoring case), or null for the default device
     * @return the started source
     * @throws AudioDeviceException if there is no such device or it cannot be opened; the message
     *     names the alternatives ({@code wav:FILE}, {@code tone:HZ}, {@code silence})
     */
    public static MicrophoneSource open(AudioFormat format, String device) {
        return open(format, device, DEFAULT_BUFFER);
    }

    /**
     * Opens and starts a capture device with a buffer of the given length.
     *
     * @param format the format of the frames wanted
     * @param device a device name, or null for the default device
     * @param buffer how much audio the device buffers: 10 ms..1 s
     * @return the started source
     * @throws AudioDeviceException if there is no such device or it cannot be opened
     */
    public static MicrophoneSource open(AudioFormat format, String device, Duration buffer) {
        Objects.requireNonNull(format, "format");
        MicrophoneSource source =
                new MicrophoneSource(format, DeviceLines.open(true, format, device, SpeakerSink.bufferMillis(buffer)));
        source.line.start();
        return source;
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
    public boolean read(short[] frame) throws IOException {
        return converted.read(frame);
    }

    @Override
    public boolean isRealTime() {
        return true;
    }

    @Override
    public void close() {
        converted.close();
    }

    @Override
    public String toString() {
        return "MicrophoneSource[" + deviceName + ", " + deviceFormat + " -> " + format + "]";
    }
}
