package dev.tip.integration;

import dev.tip.core.audio.AudioSink;
import dev.tip.core.voice.AudioFormat;
import java.util.ArrayList;
import java.util.List;

/** A recording sink and the measures the end-to-end tests take of a recording. */
final class Tip2TestAudio {
    private Tip2TestAudio() {}

    /** Records every frame from the first one that is not silent, up to a bound; not real-time. */
    static final class RecordingSink implements AudioSink {
        private final int bound;
        private final List<short[]> frames = new ArrayList<>();

        RecordingSink(int bound) {
            this.bound = bound;
        }

        @Override
        public AudioFormat format() {
            return AudioFormat.ORIGINAL;
        }

        private final short[] pending = new short[AudioFormat.ORIGINAL.frameLength()];
        private int pendingLength;

        /** Collects the parts the client writes into whole frames. */
        @Override
        public synchronized void write(short[] samples, int offset, int length) {
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
            if (frames.isEmpty() && rms(frame) == 0) {
                return;
            }
            if (frames.size() < bound) {
                frames.add(frame.clone());
            }
        }

        synchronized int size() {
            return frames.size();
        }

        synchronized List<short[]> frames() {
            return new ArrayList<>(frames);
        }
    }

    static double rms(short[] frame) {
        double sum = 0;
        for (short s : frame) {
            sum += (double) s * s;
        }
        return Math.sqrt(sum / frame.length);
    }

    /** The power of one frequency in the samples (Goertzel), normalised by the length. */
    static double power(List<short[]> frames, double hz) {
        double coefficient = 2 * Math.cos(2 * Math.PI * hz / 20_000);
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
