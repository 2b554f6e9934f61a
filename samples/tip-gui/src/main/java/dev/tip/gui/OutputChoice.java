package dev.tip.gui;

import java.util.Locale;

/**
 * Where the room's voice goes: a playback device (the default or a named one), or nowhere.
 * Immutable and thread-safe; {@link #toString()} and {@link #parse} are each other's inverse.
 *
 * @param speaker true for a playback device, false for none
 * @param device the device's name, or null for the default (speaker only)
 */
public record OutputChoice(boolean speaker, String device) {

    /** The system's default playback device. */
    public static final OutputChoice DEFAULT_SPEAKER = new OutputChoice(true, null);
    /** No sound: the room is not played. */
    public static final OutputChoice NONE = new OutputChoice(false, null);

    /**
     * A named playback device.
     *
     * @param device its name, or null for the default
     * @return the choice
     */
    public static OutputChoice speaker(String device) {
        return new OutputChoice(true, device);
    }

    /**
     * Parses {@code speaker[:DEVICE]} or {@code null}.
     *
     * @param text the text
     * @return the choice
     * @throws IllegalArgumentException naming the accepted forms
     */
    public static OutputChoice parse(String text) {
        int colon = text.indexOf(':');
        String kind = (colon < 0 ? text : text.substring(0, colon)).trim().toLowerCase(Locale.ROOT);
        String rest = colon < 0 ? "" : text.substring(colon + 1);
        return switch (kind) {
            case "speaker" -> speaker(rest.isBlank() ? null : rest);
            case "null", "none" -> NONE;
            default -> throw new IllegalArgumentException("'" + text + "' is not a sink; use speaker[:DEVICE] or null");
        };
    }

    /**
     * Says the choice in words, for the window.
     *
     * @return for example "Default speaker" or "No sound"
     */
    public String label() {
        return !speaker ? "No sound" : device == null ? "Default speaker" : device;
    }

    @Override
    public String toString() {
        return !speaker ? "null" : device == null ? "speaker" : "speaker:" + device;
    }
}
