package dev.tip.gui;

import dev.tip.core.audio.AudioSource;
import dev.tip.core.voice.AudioFormat;
import java.io.IOException;
import java.util.Arrays;
import java.util.Objects;

/**
 * The source the client reads: it forwards to a source that can be replaced while the client
 * runs (another microphone, a file, silence), measures the level of each frame for the meter, and
 * paces itself when the current source is not a real-time device, so that the client may treat it
 * as real time whatever is behind it. When the inner source ends (a file), silence follows.
 * Thread-safe: the client's capture thread reads, any thread may {@link #replace} and
 * {@link #level()}.
 */
public final class SwitchableSource implements AudioSource {

    private final AudioFormat format;
    private final FramePacer pacer;
    private AudioSource current; // guarded by this
    private volatile double level;
    private boolean closed; // guarded by this

    /**
     * Creates a switchable source.
     *
     * @param format the room's format
     * @param first the first inner source, in {@code format}; this takes ownership
     */
    public SwitchableSource(AudioFormat format, AudioSource first) {
        this.format = Objects.requireNonNull(format, "format");
        this.current = Objects.requireNonNull(first, "first");
        this.pacer = new FramePacer(format.frameNanos());
    }

    /**
     * Replaces the inner source; the old one is closed.
     *
     * @param next the new source, in the room's format; this takes ownership
     */
    public void replace(AudioSource next) {
        Objects.requireNonNull(next, "next");
        AudioSource old;
        synchronized (this) {
            if (closed) {
                next.close();
                return;
            }
            old = current;
            current = next;
        }
        pacer.reset();
        old.close();
    }

    /**
     * Returns the peak level of the last frame read.
     *
     * @return 0 (silence) to 1 (full scale)
     */
    public double level() {
        return level;
    }

    @Override
    public AudioFormat format() {
        return format;
    }

    @Override
    public boolean read(short[] frame) throws IOException {
        AudioSource source;
        synchronized (this) {
            if (closed) {
                return false;
            }
            source = current;
        }
        boolean realTime = source.isRealTime();
        boolean got;
        try {
            got = source.read(frame);
        } catch (IOException | RuntimeException e) {
            synchronized (this) {
                if (source != current) {
                    got = false; // replaced (and closed) while reading: this frame is silence
                } else {
                    throw e;
                }
            }
        }
        if (!got) {
            Arrays.fill(frame, 0, format.frameLength(), (short) 0);
            realTime = false;
        }
        if (!realTime) {
            pacer.awaitNext();
        }
        int peak = 0;
        for (int i = 0; i < format.frameLength(); i++) {
            peak = Math.max(peak, Math.abs(frame[i]));
        }
        level = peak / 32768.0;
        return true;
    }

    /** Always true: a real-time device paces itself, anything else is paced here. */
    @Override
    public boolean isRealTime() {
        return true;
    }

    @Override
    public void close() {
        AudioSource old;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            old = current;
        }
        old.close();
    }
}
