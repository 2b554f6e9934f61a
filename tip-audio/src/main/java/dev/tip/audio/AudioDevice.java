package dev.tip.audio;

import java.util.Objects;

/**
 * One audio device as Java Sound lists it. Immutable and thread-safe.
 *
 * @param name the device's name, the one to pass to {@link MicrophoneSource#open} or
 *     {@link SpeakerSink#open}
 * @param description Java Sound's description (vendor and driver)
 * @param capture true for a capture device (microphone, line in), false for playback
 * @param formats a short summary of the PCM formats it offers, e.g.
 *     {@code "16-bit signed, 1-2 ch, any rate"}
 */
public record AudioDevice(String name, String description, boolean capture, String formats) {

    /** Checks that no component is null. */
    public AudioDevice {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(description, "description");
        Objects.requireNonNull(formats, "formats");
    }
}
