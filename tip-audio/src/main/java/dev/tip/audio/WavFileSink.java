package dev.tip.audio;

import dev.tip.audio.internal.Sinks;
import dev.tip.core.audio.AudioSink;
import dev.tip.core.voice.AudioFormat;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import javax.sound.sampled.AudioFileFormat;
import javax.sound.sampled.AudioInputStream;
import javax.sound.sampled.AudioSystem;

/**
 * A sink that records frames to a WAV file (16-bit signed PCM in the sink's format); the caller
 * paces it. Confined to one thread.
 *
 * <p>Frames are streamed to a temporary raw file next to the target (so a long recording does not
 * fill the heap); {@link #close} writes the WAV with Java Sound's {@code AudioSystem.write} and
 * deletes the temporary file. Until then the target file does not exist (or keeps its old
 * content).
 *
 * <pre>{@code
 * try (AudioSink heard = new WavFileSink(Path.of("heard.wav"), AudioFormat.ORIGINAL)) {
 *     heard.write(frame);
 * }
 * }</pre>
 */
public final class WavFileSink implements AudioSink {
    private final Path file;
    private final AudioFormat format;
    private final Path raw;
    private final OutputStream out;
    private final byte[] bytes;
    private long samplesWritten;
    private boolean closed;

    /**
     * Creates a recorder; the directory of {@code file} must exist.
     *
     * @param file the WAV file to write on close
     * @param format the format of the frames written
     * @throws IOException if the temporary file cannot be created
     */
    public WavFileSink(Path file, AudioFormat format) throws IOException {
        this.file = Objects.requireNonNull(file, "file").toAbsolutePath();
        this.format = Objects.requireNonNull(format, "format");
        this.raw = Files.createTempFile(this.file.getParent(), "." + this.file.getFileName(), ".pcm");
        this.out = new BufferedOutputStream(Files.newOutputStream(raw), 1 << 16);
        this.bytes = new byte[format.frameBytes()];
    }

    /**
     * Returns the number of whole frames written so far (writes may come in parts of frames).
     *
     * @return frames written
     */
    public long framesWritten() {
        return samplesWritten / format.frameLength();
    }

    @Override
    public AudioFormat format() {
        return format;
    }

    @Override
    public void write(short[] samples, int offset, int length) throws IOException {
        if (closed) {
            throw new IllegalStateException("WavFileSink for " + file + " is closed");
        }
        Sinks.checkPart(format, length);
        for (int i = 0; i < length; i++) {
            short s = samples[offset + i];
            bytes[2 * i] = (byte) s;
            bytes[2 * i + 1] = (byte) (s >> 8);
        }
        out.write(bytes, 0, 2 * length);
        samplesWritten += length;
    }

    /**
     * Writes the WAV file and deletes the temporary one.
     *
     * @throws UncheckedIOException if the WAV file cannot be written
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            out.close();
            javax.sound.sampled.AudioFormat pcm =
                    new javax.sound.sampled.AudioFormat(format.sampleRate(), 16, format.channels(), true, false);
            long sampleFrames = samplesWritten / format.channels();
            try (InputStream in = new BufferedInputStream(Files.newInputStream(raw), 1 << 16);
                    AudioInputStream audio = new AudioInputStream(in, pcm, sampleFrames)) {
                AudioSystem.write(audio, AudioFileFormat.Type.WAVE, file.toFile());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not write " + file, e);
        } finally {
            try {
                Files.deleteIfExists(raw);
            } catch (IOException e) {
                // the WAV is what matters; a stray temporary file is only untidy
            }
        }
    }

    @Override
    public String toString() {
        return "WavFileSink[" + file + ", " + format + "]";
    }
}
