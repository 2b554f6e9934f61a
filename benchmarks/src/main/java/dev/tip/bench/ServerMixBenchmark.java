package dev.tip.bench;

import dev.tip.server.internal.MixBus;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The server's mix for original listeners, one 512-sample frame: {@code speakers} people talk,
 * {@code listeners} original listeners each get a 1024-byte datagram of everyone else; the first
 * {@code min(speakers, listeners)} listeners are themselves speakers (original clients who talk),
 * so they get the sum minus their own voice. One operation writes every listener's datagram
 * (sockets excluded). Baseline: what one writes without the room sum, each listener's own loop
 * over every other speaker.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Thread)
public class ServerMixBenchmark {

    private static final int FRAME = 512;

    /** People talking at once. */
    @Param({"2", "8"})
    public int speakers;

    /** Original listeners in the room. */
    @Param({"1", "8", "32"})
    public int listeners;

    private short[][] frames;
    private MixBus bus;
    private ByteBuffer baselineOut;
    private long sink;

    /** Frames of different tones, loud enough that some sums clip. */
    @Setup(Level.Trial)
    public void setUp() {
        frames = new short[speakers][FRAME];
        for (int s = 0; s < speakers; s++) {
            for (int i = 0; i < FRAME; i++) {
                frames[s][i] = (short) (12000 * Math.sin(i * (s + 1) / 17.0));
            }
        }
        bus = new MixBus(FRAME);
        baselineOut = ByteBuffer.allocateDirect(2 * FRAME).order(ByteOrder.LITTLE_ENDIAN);
    }

    /**
     * TIP: the room sum once, then the sum (shared) or the sum minus the listener's own frame.
     *
     * @return a sample, so that the work is not eliminated
     */
    @Benchmark
    public long mix() {
        bus.clear();
        for (short[] f : frames) {
            bus.add(f);
        }
        long acc = 0;
        for (int l = 0; l < listeners; l++) {
            ByteBuffer out = l < speakers ? bus.without(frames[l]) : bus.all();
            acc += out.getShort(2 * (l & 255));
        }
        return acc + sink;
    }

    /**
     * Baseline: for each listener, sum every other speaker and clip.
     *
     * @return a sample, so that the work is not eliminated
     */
    @Benchmark
    public long mixBaselinePerListener() {
        long acc = 0;
        for (int l = 0; l < listeners; l++) {
            for (int i = 0; i < FRAME; i++) {
                int sum = 0;
                for (int s = 0; s < speakers; s++) {
                    if (s != l) {
                        sum += frames[s][i];
                    }
                }
                baselineOut.putShort(2 * i, (short) Math.max(Short.MIN_VALUE, Math.min(Short.MAX_VALUE, sum)));
            }
            acc += baselineOut.getShort(2 * (l & 255));
        }
        return acc;
    }
}
