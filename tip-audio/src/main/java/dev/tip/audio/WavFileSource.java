package dev.tip.audio;

import dev.tip.audio.internal.StreamConverter;
import dev.tip.core.audio.AudioSource;
import dev.tip.core.voice.AudioFormat;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Objects;
import javax.sound.sampled.AudioInputStream;
import javax.sound.sampled.AudioSystem;
import javax.sound.sampled.UnsupportedAudioFileException;

/**
 * A source that plays a sound file (WAV, or any type Java Sound reads: AU, AIFF) in the format
 * asked for, whatever the file holds; the caller paces it. Confined to one thread.
 *
 * <p>Java Sound converts the file's encoding (8-bit unsigned, 24-bit, float, big-endian, mu-law)
 * to 16-bit signed samples; this class then averages stereo to mono or copies mono to stereo and
 * resamples to the requested rate with TIP's windowed-sinc resampler. At the end of the file
 * {@link #read} returns false, or the file starts again if looping was asked for.
 *
 * <pre>{@code
 * try (AudioSource voice = new WavFileSource(Path.of("hello.wav"), AudioFormat.ORIGINAL, false)) {
 *     short[] frame = new short[AudioFormat.ORIGINAL.frameLength()];
 *     while (voice.read(frame)) { ... }
 * }
 * }</pre>
 */
public final class WavFileSource implements AudioSource {
    private final Path file;
    private final AudioFormat format;
    private final boolean loop;
    private final javax.sound.sampled.AudioFormat fileFormat;
    private final javax.sound.sampled.AudioFormat pcmFormat;
    private final StreamConverter converter;
    private final byte[] bytes;
    private final short[] samples;
    private AudioInputStream stream;
    private boolean ended;
    private boolean everRead;

    /**
     * Opens a sound file.
     *
     * @param file the file to read
     * @param format the format of the frames wanted
     * @param loop true to start again at the end of the file instead of ending
     * @throws IOException if the file cannot be read, is not a sound file Java Sound knows, or
     *     holds a format that cannot be converted (more than two channels, a rate outside
     *     8000..192000 Hz)
     */
    public WavFileSource(Path file, AudioFormat format, boolean loop) throws IOException {
        this.file = Objects.requireNonNull(file, "file");
        this.format = Objects.requireNonNull(format, "format");
        this.loop = loop;
        this.stream = open(file);
        this.fileFormat = stream.getFormat();
        int channels = fileFormat.getChannels();
        int rate = Math.round(fileFormat.getSampleRate());
        if (channels < 1 || channels > 2) {
            stream.close();
            throw new IOException(file + ": " + channels + " channels are not supported (only mono or stereo)");
        }
        if (rate < 8_000 || rate > 192_000) {
            stream.close();
            throw new IOException(
                    file + ": sample rate " + fileFormat.getSampleRate() + " Hz is not supported (8000..192000 Hz)");
        }
        this.pcmFormat = new javax.sound.sampled.AudioFormat(rate, 16, channels, true, false);
        this.stream = toPcm(stream);
        // the file's side of the conversion: 20 ms chunks
        AudioFormat native16 = new AudioFormat(rate, channels, 16, Math.max(1, rate / 50));
        this.converter = new StreamConverter(native16, format);
        this.samples = new short[native16.frameLength()];
        this.bytes = new byte[native16.frameBytes()];
    }

    /**
     * Returns the format the file holds, as Java Sound reports it (for messages and listings).
     *
     * @return the file's own format
     */
    public javax.sound.sampled.AudioFormat fileFormat() {
        return fileFormat;
    }

    @Override
    public AudioFormat format() {
        return format;
    }

    @Override
    public boolean read(short[] frame) throws IOException {
        int length = format.frameLength();
        var fifo = converter.output();
        while (fifo.size() < length && !ended) {
            int frames = readChunk();
            if (frames > 0) {
                everRead = true;
                converter.push(samples, 0, frames);
            } else if (loop && everRead) {
                stream.close();
                stream = toPcm(open(file));
            } else {
                ended = true;
                converter.drain();
            }
        }
        int available = Math.min(length, fifo.size());
        if (available == 0) {
            return false;
        }
        fifo.take(frame, 0, available);
        Arrays.fill(frame, available, length, (short) 0);
        return true;
    }

    /** Reads up to one chunk of whole frames; returns 0 at the end of the file. */
    private int readChunk() throws IOException {
        int frameSize = pcmFormat.getFrameSize();
        int filled = 0;
        while (filled < bytes.length) {
            int n = stream.read(bytes, filled, bytes.length - filled);
            if (n < 0) {
                break;
            }
            filled += n;
        }
        int frames = filled / frameSize;
        int count = frames * pcmFormat.getChannels();
        for (int i = 0; i < count; i++) {
            samples[i] = (short) ((bytes[2 * i] & 0xff) | (bytes[2 * i + 1] << 8));
        }
        return frames;
    }

    private static AudioInputStream open(Path file) throws IOException {
        InputStream in = new BufferedInputStream(Files.newInputStream(file));
        try {
            return AudioSystem.getAudioInputStream(in);
        } catch (UnsupportedAudioFileException e) {
            in.close();
            throw new IOException(file + " is not a sound file Java Sound can read (WAV, AU or AIFF)", e);
        } catch (IOException | RuntimeException e) {
            in.close();
            throw e;
        }
    }

    private AudioInputStream toPcm(AudioInputStream in) throws IOException {
        if (in.getFormat().matches(pcmFormat)) {
            return in;
        }
        if (!AudioSystem.isConversionSupported(pcmFormat, in.getFormat())) {
            in.close();
            throw new IOException(file + ": Java Sound cannot convert " + in.getFormat() + " to " + pcmFormat);
        }
        return AudioSystem.getAudioInputStream(pcmFormat, in);
    }

    @Override
    public void close() {
        try {
            stream.close();
        } catch (IOException e) {
            throw new UncheckedIOException("could not close " + file, e);
        }
    }

    @Override
    public String toString() {
        return "WavFileSource[" + file + ", " + fileFormat + " -> " + format + "]";
    }
}
