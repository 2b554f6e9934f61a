package dev.tip.cli;

import dev.tip.audio.ConvertingSource;
import dev.tip.audio.MicrophoneSource;
import dev.tip.audio.SilenceSource;
import dev.tip.audio.ToneSource;
import dev.tip.audio.WavFileSource;
import dev.tip.core.TipClient;
import dev.tip.core.audio.AudioSource;
import dev.tip.core.voice.AudioFormat;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import picocli.CommandLine;

/**
 * What {@code --source} names: {@code mic[:DEVICE]}, {@code tone:HZ}, {@code wav:FILE} or
 * {@code silence}. Immutable and thread-safe.
 *
 * @param kind the kind of source
 * @param frequencyHz the tone's frequency (tone only, else 0)
 * @param file the file to play (wav only, else null)
 * @param device a capture device name, or null for the default (mic only)
 */
record SourceSpec(Kind kind, double frequencyHz, Path file, String device) {

    /** The kinds of source {@code tip client} can send from. */
    enum Kind {
        MIC,
        TONE,
        WAV,
        SILENCE
    }

    static final String SYNTAX = "mic[:DEVICE], tone:HZ, wav:FILE or silence";

    /**
     * Parses a spec.
     *
     * @param text the option's value
     * @return the spec
     * @throws IllegalArgumentException naming what is wrong and the accepted forms
     */
    static SourceSpec parse(String text) {
        int colon = text.indexOf(':');
        String kind = (colon < 0 ? text : text.substring(0, colon)).trim().toLowerCase(Locale.ROOT);
        String rest = colon < 0 ? null : text.substring(colon + 1);
        switch (kind) {
            case "mic" -> {
                return new SourceSpec(Kind.MIC, 0, null, rest == null || rest.isBlank() ? null : rest);
            }
            case "tone" -> {
                return new SourceSpec(Kind.TONE, frequency(rest, text), null, null);
            }
            case "wav" -> {
                if (rest == null || rest.isBlank()) {
                    throw new IllegalArgumentException("'" + text + "' names no file; write wav:FILE");
                }
                return new SourceSpec(Kind.WAV, 0, Path.of(rest), null);
            }
            case "silence" -> {
                if (rest != null) {
                    throw new IllegalArgumentException("'" + text + "': silence takes no value");
                }
                return new SourceSpec(Kind.SILENCE, 0, null, null);
            }
            default -> throw new IllegalArgumentException("'" + text + "' is not a source; use " + SYNTAX);
        }
    }

    static double frequency(String value, String text) {
        double max = TipClient.ROOM_FORMAT.sampleRate() / 2.0;
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(
                    "'" + text + "' names no frequency; write tone:HZ, for example tone:440");
        }
        double hz;
        try {
            hz = Double.parseDouble(value.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + text + "': the frequency is not a number");
        }
        if (!(hz > 0 && hz < max)) {
            throw new IllegalArgumentException("'" + text + "': the frequency must be above 0 and below " + (int) max
                    + " Hz (half the room's sample rate)");
        }
        return hz;
    }

    /**
     * Opens the source in the room's format.
     *
     * @param format the room's format
     * @param amplitude a tone's peak amplitude, 0..1
     * @return the open source, in {@code format}
     * @throws IOException if a file cannot be read
     * @throws dev.tip.audio.AudioDeviceException if no capture device can be opened
     */
    AudioSource open(AudioFormat format, double amplitude) throws IOException {
        AudioSource source =
                switch (kind) {
                    case MIC -> MicrophoneSource.open(format, device);
                    case TONE -> new ToneSource(format, frequencyHz, amplitude);
                    case WAV -> {
                        if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
                            throw new IOException("cannot read " + file + " (no such file, or not readable)");
                        }
                        yield new WavFileSource(file, format, false);
                    }
                    case SILENCE -> new SilenceSource(format);
                };
        // every source above can deliver the room's format itself; convert anything that does not
        return format.equals(source.format()) ? source : ConvertingSource.of(source, format);
    }

    @Override
    public String toString() {
        return switch (kind) {
            case MIC -> device == null ? "mic" : "mic:" + device;
            case TONE ->
                "tone:"
                        + (frequencyHz == Math.rint(frequencyHz)
                                ? String.valueOf((long) frequencyHz)
                                : String.valueOf(frequencyHz));
            case WAV -> "wav:" + file;
            case SILENCE -> "silence";
        };
    }

    /** Picocli's converter: a bad spec becomes a usage error naming the option. */
    static final class Converter implements CommandLine.ITypeConverter<SourceSpec> {
        @Override
        public SourceSpec convert(String value) {
            try {
                return parse(value);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }
}
