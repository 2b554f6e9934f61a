package dev.tip.core;

import dev.tip.core.audio.AudioSink;
import dev.tip.core.audio.AudioSource;
import dev.tip.core.voice.AudioFormat;
import java.util.ArrayList;
import java.util.List;

/** Audio written for the tests: a tone source that remembers what it made, a recording sink, Goertzel. */
final class TestAudio {
    private TestAudio() {}

    /** A sine tone, not real-time (the client paces it); keeps a copy of the first frames it produced. */
    static final class ToneSource implements AudioSource {
        final double hz;
        final int amplitude;
        private final List<short[]> produced = new ArrayList<>();
        private long sample;
        volatile boolean closed;
        volatile String readThread;

        ToneSource(double hz, int amplitude) {
            this.hz = hz;
            this.amplitude = amplitude;
        }

        @Override
        public AudioFormat format() {
            return AudioFormat.ORIGINAL;
        }

        @Override
        public boolean read(short[] frame) {
            readThread = Thread.currentThread().getName();
            int n = format().frameLength();
            for (int i = 0; i < n; i++) {
                frame[i] =
                        (short) Math.round(amplitude * Math.sin(2 * Math.PI * hz * sample++ / format().sampleRate()));
            }
            synchronized (produced) {
                if (produced.size() < 4000) {
                    produced.add(frame.clone());
                }
            }
            return true;
        }

        List<short[]> produced() {
            synchronized (produced) {
                return new ArrayList<>(produced);
            }
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    /** Records every frame it is given (up to a bound), not real-time (the client paces it). */
    static final class RecordingSink implements AudioSink {
        private final List<short[]> frames = new ArrayList<>();
        private int nonSilent;
        volatile boolean closed;
        volatile String writeThread;

        @Override
        public AudioFormat format() {
            return AudioFormat.ORIGINAL;
        }

        private final short[] pending = new short[AudioFormat.ORIGINAL.frameLength()];
        private int pendingLength;

        private final java.util.Set<Integer> writeLengths = new java.util.TreeSet<>();

        /** Collects the parts the client writes into whole frames. */
        @Override
        public synchronized void write(short[] samples, int offset, int length) {
            writeLengths.add(length);
            while (length > 0) {
                int n = Math.min(length, pending.length - pendingLength);
                System.arraycopy(samples, offset, pending, pendingLength, n);
                pendingLength += n;
                offset += n;
                length -= n;
                if (pendingLength == pending.length) {
                    pendingLength = 0;
                    frame(pending);
                }
            }
        }

        private void frame(short[] frame) {
            writeThread = Thread.currentThread().getName();
            boolean silent = true;
            for (short s : frame) {
                if (s != 0) {
                    silent = false;
                    break;
                }
            }
            if (!silent) {
                nonSilent++;
            }
            if (frames.size() < 4000) {
                frames.add(frame.clone());
            }
        }

        /** The lengths of the writes the client made, each once. */
        synchronized java.util.Set<Integer> writeLengths() {
            return new java.util.TreeSet<>(writeLengths);
        }

        synchronized int nonSilentFrames() {
            return nonSilent;
        }

        synchronized List<short[]> nonSilent() {
            List<short[]> out = new ArrayList<>();
            for (short[] f : frames) {
                for (short s : f) {
                    if (s != 0) {
                        out.add(f);
                        break;
                    }
                }
            }
            return out;
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    /** The power of one frequency in the samples (Goertzel), normalised by the length. */
    static double power(List<short[]> frames, double hz, int sampleRate) {
        double coefficient = 2 * Math.cos(2 * Math.PI * hz / sampleRate);
        double s1 = 0;
        double s2 = 0;
        long n = 0;
        for (short[] f : frames) {
            for (short x : f) {
                double s0 = x + coefficient * s1 - s2;
                s2 = s1;
                s1 = s0;
                n++;
            }
        }
        double p = s1 * s1 + s2 * s2 - coefficient * s1 * s2;
        return n == 0 ? 0 : p / ((double) n * n);
    }
}
