package dev.tip.gui;

import dev.tip.core.audio.AudioSink;
import dev.tip.core.voice.AudioFormat;
import java.io.IOException;
import java.util.Objects;

/**
 * The sink the client plays into: it forwards to a sink that can be replaced while the client
 * runs (another speaker, or none), and paces itself when there is no real-time device behind it.
 * Thread-safe: the client's playout thread writes, any thread may {@link #replace}.
 */
public final class SwitchableSink implements AudioSink {

    private final AudioFormat format;
    private final FramePacer pacer;
    private AudioSink current; // guarded by this; null: nothing plays
    private boolean closed; // guarded by this

    /**
     * Creates a switchable sink.
     *
     * @param format the room's format
     * @param first the first inner sink in {@code format}, or null for none; this takes ownership
     */
    public SwitchableSink(AudioFormat format, AudioSink first) {
        this.format = Objects.requireNonNull(format, "format");
        this.current = first;
        this.pacer = new FramePacer(format.frameNanos());
    }

    /**
     * Replaces the inner sink; the old one is closed.
     *
     * @param next the new sink, or null for none; this takes ownership
     */
    public void replace(AudioSink next) {
        AudioSink old;
        synchronized (this) {
            if (closed) {
                if (next != null) {
                    next.close();
                }
                return;
            }
            old = current;
            current = next;
        }
        pacer.reset();
        if (old != null) {
            old.close();
        }
    }

    @Override
    public AudioFormat format() {
        return format;
    }

    @Override
    public void write(short[] samples, int offset, int length) throws IOException {
        AudioSink sink;
        synchronized (this) {
            if (closed) {
                return;
            }
            sink = current;
        }
        boolean realTime = sink != null && sink.isRealTime();
        if (sink != null) {
            try {
                sink.write(samples, offset, length);
            } catch (IOException | RuntimeException e) {
                synchronized (this) {
                    if (sink == current) {
                        throw e;
                    }
                } // replaced (and closed) while writing: the frame is lost
            }
        }
        if (!realTime) {
            pacer.awaitNext(length / format.channels() * 1_000_000_000L / format.sampleRate());
        }
    }

    /** Always true: a real-time device paces itself, anything else is paced here. */
    @Override
    public boolean isRealTime() {
        return true;
    }

    @Override
    public void close() {
        AudioSink old;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            old = current;
            current = null;
        }
        if (old != null) {
            old.close();
        }
    }
}
