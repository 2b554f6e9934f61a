package dev.tip.gui;

import java.nio.file.Path;
import java.util.Locale;
import java.util.Objects;

/**
 * Where the voice comes from: a microphone (the default device or a named one), a test tone, a
 * WAV file (looped) or silence. Immutable and thread-safe. {@link #toString()} and
 * {@link #parse} are each other's inverse, so a choice can be remembered as text.
 *
 * @param kind the kind of source
 * @param device the capture device's name, or null for the default (microphone only)
 * @param file the WAV file (WAV only)
 * @param frequencyHz the tone's frequency (tone only)
 */
public record InputChoice(Kind kind, String device, Path file, double frequencyHz) {

    /** The kinds of source. */
    public enum Kind {
        /** A capture device. */
        MICROPHONE,
        /** A sine tone, for trying the line without a microphone. */
        TONE,
        /** A WAV file, played in a loop. */
        WAV,
        /** Nothing: the room hears silence (and the session still joins). */
        SILENCE
    }

    /** The default: the system's default microphone. */
    public static final InputChoice DEFAULT_MICROPHONE = new InputChoice(Kind.MICROPHONE, null, null, 0);
    /** Silence. */
    public static final InputChoice SILENCE = new InputChoice(Kind.SILENCE, null, null, 0);

    /** Checks that the kind's parameters are there. */
    public InputChoice {
        Objects.requireNonNull(kind, "kind");
        if (kind == Kind.WAV) {
            Objects.requireNonNull(file, "file");
        }
        if (kind == Kind.TONE && !(frequencyHz > 0 && frequencyHz < 10_000)) {
            throw new IllegalArgumentException("the tone's frequency must be above 0 and below 10000 Hz");
        }
    }

    /**
     * A named capture device.
     *
     * @param device its name, or null for the default
     * @return the choice
     */
    public static InputChoice microphone(String device) {
        return new InputChoice(Kind.MICROPHONE, device, null, 0);
    }

    /**
     * A tone.
     *
     * @param hz its frequency
     * @return the choice
     */
    public static InputChoice tone(double hz) {
        return new InputChoice(Kind.TONE, null, null, hz);
    }

    /**
     * A WAV file.
     *
     * @param file the file
     * @return the choice
     */
    public static InputChoice wav(Path file) {
        return new InputChoice(Kind.WAV, null, file, 0);
    }

    /**
     * Parses {@code mic[:DEVICE]}, {@code tone:HZ}, {@code wav:FILE} or {@code silence}.
     *
     * @param text the text
     * @return the choice
     * @throws IllegalArgumentException naming the accepted forms
     */
    public static InputChoice parse(String text) {
        int colon = text.indexOf(':');
        String kind = (colon < 0 ? text : text.substring(0, colon)).trim().toLowerCase(Locale.ROOT);
        String rest = colon < 0 ? "" : text.substring(colon + 1);
        switch (kind) {
            case "mic" -> {
                return microphone(rest.isBlank() ? null : rest);
            }
            case "tone" -> {
                try {
                    return tone(rest.isBlank() ? 440 : Double.parseDouble(rest.trim()));
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("'" + text + "': the frequency is not a number");
                }
            }
            case "wav" -> {
                if (rest.isBlank()) {
                    throw new IllegalArgumentException("'" + text + "' names no file; write wav:FILE");
                }
                return wav(Path.of(rest));
            }
            case "silence" -> {
                return SILENCE;
            }
            default ->
                throw new IllegalArgumentException(
                        "'" + text + "' is not a source; use mic[:DEVICE], tone:HZ, wav:FILE or silence");
        }
    }

    /**
     * Says the choice in words, for the window.
     *
     * @return for example "Microphone (default)" or "Test tone 440 Hz"
     */
    public String label() {
        return switch (kind) {
            case MICROPHONE -> device == null ? "Default microphone" : device;
            case TONE -> "Test tone " + Math.round(frequencyHz) + " Hz";
            case WAV -> "WAV file " + file.getFileName();
            case SILENCE -> "Silence";
        };
    }

    @Override
    public String toString() {
        return switch (kind) {
            case MICROPHONE -> device == null ? "mic" : "mic:" + device;
            case TONE ->
                "tone:" + (frequencyHz == Math.rint(frequencyHz) ? String.valueOf((long) frequencyHz) : frequencyHz);
            case WAV -> "wav:" + file;
            case SILENCE -> "silence";
        };
    }
}
