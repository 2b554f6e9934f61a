package dev.tip.bench;

import dev.tip.core.audio.Mixer;
import dev.tip.core.voice.AudioFormat;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/** Mixing eight speakers' frames into one. Baseline: a plain int-sum loop with clamping. */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Thread)
public class MixerBenchmark {

    private static final AudioFormat FORMAT = AudioFormat.ORIGINAL;
    private static final int SPEAKERS = 8;

    private short[][] frames;
    private short[] out;
    private Mixer mixer;

    /** Eight frames of different tones. */
    @Setup(Level.Trial)
    public void setUp() {
        frames = new short[SPEAKERS][FORMAT.frameLength()];
        for (int s = 0; s < SPEAKERS; s++) {
            for (int i = 0; i < FORMAT.frameLength(); i++) {
                frames[s][i] = (short) (9000 * Math.sin(i * (s + 1) / 17.0));
            }
        }
        out = new short[FORMAT.frameLength()];
        mixer = new Mixer(FORMAT);
    }

    /**
     * TIP's mixer: clear, add eight frames, write the saturated mix.
     *
     * @return a sample, so that the work is not eliminated
     */
    @Benchmark
    public short mix() {
        mixer.clear();
        for (short[] f : frames) {
            mixer.add(f);
        }
        mixer.mixTo(out);
        return out[7];
    }

    /**
     * The loop a user would write.
     *
     * @return a sample, so that the work is not eliminated
     */
    @Benchmark
    public short mixBaseline() {
        for (int i = 0; i < out.length; i++) {
            int sum = 0;
            for (int s = 0; s < SPEAKERS; s++) {
                sum += frames[s][i];
            }
            out[i] = (short) Math.max(Short.MIN_VALUE, Math.min(Short.MAX_VALUE, sum));
        }
        return out[7];
    }
}
