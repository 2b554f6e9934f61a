package dev.tip.audio;

import dev.tip.core.audio.AudioSource;
import dev.tip.core.voice.AudioFormat;
import java.io.IOException;

/** Test helpers that read whole signals out of sources. */
final class Signals {
    private Signals() {}

    static short[] read(AudioSource source, int frames) throws IOException {
        AudioFormat f = source.format();
        short[] all = new short[frames * f.frameLength()];
        short[] frame = new short[f.frameLength()];
        for (int i = 0; i < frames; i++) {
            if (!source.read(frame)) {
                throw new AssertionError("source ended after " + i + " frames");
            }
            System.arraycopy(frame, 0, all, i * frame.length, frame.length);
        }
        return all;
    }

    static short[] readAll(AudioSource source) throws IOException {
        AudioFormat f = source.format();
        short[] frame = new short[f.frameLength()];
        short[] all = new short[0];
        int n = 0;
        while (source.read(frame)) {
            if (n + frame.length > all.length) {
                all = java.util.Arrays.copyOf(all, Math.max(n + frame.length, all.length * 2));
            }
            System.arraycopy(frame, 0, all, n, frame.length);
            n += frame.length;
        }
        return java.util.Arrays.copyOf(all, n);
    }

    static short[] channel(short[] interleaved, int channels, int channel) {
        short[] out = new short[interleaved.length / channels];
        for (int i = 0; i < out.length; i++) {
            out[i] = interleaved[i * channels + channel];
        }
        return out;
    }

    static short[] slice(short[] s, int from, int to) {
        return java.util.Arrays.copyOfRange(s, from, to);
    }

    static int peak(short[] s) {
        int p = 0;
        for (short v : s) {
            p = Math.max(p, Math.abs(v));
        }
        return p;
    }

    /** Largest sample-to-sample step: a click shows up as a step far above a smooth sine's. */
    static int largestStep(short[] s) {
        int m = 0;
        for (int i = 1; i < s.length; i++) {
            m = Math.max(m, Math.abs(s[i] - s[i - 1]));
        }
        return m;
    }
}
