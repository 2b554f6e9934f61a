package dev.tip.audio;

import dev.tip.core.TipException;

/**
 * A capture or playback device could not be found or opened; the message names the device
 * wanted, the devices there are, and the alternatives that need no device ({@code wav:FILE},
 * {@code tone:HZ}, {@code silence} as sources; {@code wav:FILE}, {@code null} as sinks).
 * Thread-safe (immutable).
 */
public final class AudioDeviceException extends TipException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message what is missing and what to use instead
     * @param cause what Java Sound reported, or null
     */
    public AudioDeviceException(String message, Throwable cause) {
        super(message, cause);
    }
}
