package dev.tip.core.audio;

import dev.tip.core.voice.AudioFormat;
import java.util.ArrayList;
import java.util.List;

/** Test frames whose identity can be read back from the output. */
public final class Frames {
    static final AudioFormat FORMAT = AudioFormat.ORIGINAL;
    static final long FRAME = FORMAT.frameNanos();
    static final int CALL = 128;
    static final long CALL_NANOS = CALL * 1_000_000_000L / FORMAT.sampleRate();

    private Frames() {}

    /** A frame holding one constant value that names frame {@code k}. */
    static short[] constant(int k) {
        short[] f = new short[FORMAT.frameLength()];
        java.util.Arrays.fill(f, value(k));
        return f;
    }

    static short value(int k) {
        return (short) (1000 + 7 * k);
    }

    /** A sine of 200 Hz, amplitude 8000, continuing across frames. */
    public static short[] sine(int k) {
        short[] f = new short[FORMAT.frameLength()];
        for (int i = 0; i < f.length; i++) {
            long n = (long) k * f.length + i;
            f[i] = (short) Math.round(8000 * Math.sin(2 * Math.PI * 200 * n / FORMAT.sampleRate()));
        }
        return f;
    }

    /**
     * Reads the frames played, in order, from output made of constant frames: runs of at least
     * 40 equal samples are frames (joins are cross-faded, so their samples change every step).
     */
    static List<Integer> plateaus(short[] out, int length) {
        List<Integer> ks = new ArrayList<>();
        int run = 1;
        for (int i = 1; i <= length; i++) {
            if (i < length && out[i] == out[i - 1]) {
                run++;
                continue;
            }
            if (run >= 40 && out[i - 1] != 0) {
                int v = out[i - 1] - 1000;
                if (v >= 0 && v % 7 == 0) {
                    int k = v / 7;
                    if (ks.isEmpty() || ks.get(ks.size() - 1) != k) {
                        ks.add(k);
                    }
                }
            }
            run = 1;
        }
        return ks;
    }

    /** One arrival of a scripted test stream. */
    record Arrival(long atNanos, int seq, long ts, boolean marker, short[] pcm) {}

    /**
     * Drives a buffer: delivers each arrival at its time, calls playout every 6.4 ms until
     * {@code endNanos}, and returns everything played.
     */
    static short[] drive(JitterBuffer buffer, List<Arrival> arrivals, long endNanos) {
        List<Arrival> sorted = new ArrayList<>(arrivals);
        sorted.sort((a, b) -> Long.compare(a.atNanos(), b.atNanos()));
        int calls = (int) (endNanos / CALL_NANOS) + 1;
        short[] all = new short[calls * CALL];
        short[] out = new short[CALL];
        int next = 0;
        for (int c = 0; c < calls; c++) {
            long now = c * CALL_NANOS;
            while (next < sorted.size() && sorted.get(next).atNanos() <= now) {
                Arrival a = sorted.get(next++);
                buffer.insert(a.seq(), a.ts(), a.marker(), a.pcm(), 0, a.pcm().length, a.atNanos());
            }
            buffer.playout(now, out);
            System.arraycopy(out, 0, all, c * CALL, CALL);
        }
        return all;
    }

    /** The largest step between neighbouring samples. */
    public static int maxStep(short[] pcm, int from, int to) {
        int max = 0;
        for (int i = Math.max(1, from); i < to; i++) {
            max = Math.max(max, Math.abs(pcm[i] - pcm[i - 1]));
        }
        return max;
    }
}
