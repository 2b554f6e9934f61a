package dev.tip.cli;

import dev.tip.audio.ConvertingSink;
import dev.tip.audio.NullSink;
import dev.tip.audio.SpeakerSink;
import dev.tip.audio.WavFileSink;
import dev.tip.core.audio.AudioSink;
import dev.tip.core.voice.AudioFormat;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import picocli.CommandLine;

/**
 * What {@code --sink} names: {@code speaker[:DEVICE]}, {@code wav:FILE} or {@code null}.
 * Immutable and thread-safe.
 *
 * @param kind the kind of sink
 * @param file the file to record to (wav only, else null)
 * @param device a playback device name, or null for the default (speaker only)
 */
record SinkSpec(Kind kind, Path file, String device) {

    /** The kinds of sink {@code tip client} can play into. */
    enum Kind {
        SPEAKER,
        WAV,
        NULL
    }

    static final String SYNTAX = "speaker[:DEVICE], wav:FILE or null";

    /**
     * Parses a spec.
     *
     * @param text the option's value
     * @return the spec
     * @throws IllegalArgumentException naming what is wrong and the accepted forms
     */
    static SinkSpec parse(String text) {
        int colon = text.indexOf(':');
        String kind = (colon < 0 ? text : text.substring(0, colon)).trim().toLowerCase(Locale.ROOT);
        String rest = colon < 0 ? null : text.substring(colon + 1);
        switch (kind) {
            case "speaker" -> {
                return new SinkSpec(Kind.SPEAKER, null, rest == null || rest.isBlank() ? null : rest);
            }
            case "wav" -> {
                if (rest == null || rest.isBlank()) {
                    throw new IllegalArgumentException("'" + text + "' names no file; write wav:FILE");
                }
                return new SinkSpec(Kind.WAV, Path.of(rest), null);
            }
            case "null" -> {
                if (rest != null) {
                    throw new IllegalArgumentException("'" + text + "': null takes no value");
                }
                return new SinkSpec(Kind.NULL, null, null);
            }
            default -> throw new IllegalArgumentException("'" + text + "' is not a sink; use " + SYNTAX);
        }
    }

    /**
     * Opens the sink in the room's format.
     *
     * @param format the room's format
     * @return the open sink, taking {@code format}
     * @throws IOException if the file cannot be created
     * @throws dev.tip.audio.AudioDeviceException if no playback device can be opened
     */
    AudioSink open(AudioFormat format) throws IOException {
        AudioSink sink =
                switch (kind) {
                    case SPEAKER -> SpeakerSink.open(format, device);
                    case WAV -> {
                        Path dir = file.toAbsolutePath().getParent();
                        if (dir != null && !Files.isDirectory(dir)) {
                            throw new IOException("cannot write " + file + ": no directory " + dir);
                        }
                        yield new WavFileSink(file, format);
                    }
                    case NULL -> new NullSink(format);
                };
        return format.equals(sink.format()) ? sink : ConvertingSink.of(sink, format);
    }

    @Override
    public String toString() {
        return switch (kind) {
            case SPEAKER -> device == null ? "speaker" : "speaker:" + device;
            case WAV -> "wav:" + file;
            case NULL -> "null";
        };
    }

    /** Picocli's converter: a bad spec becomes a usage error naming the option. */
    static final class Converter implements CommandLine.ITypeConverter<SinkSpec> {
        @Override
        public SinkSpec convert(String value) {
            try {
                return parse(value);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }
}
