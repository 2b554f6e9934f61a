package dev.tip.bench;

import dev.tip.core.audio.JitterBuffer;
import dev.tip.core.voice.AudioFormat;
import java.nio.ByteBuffer;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * One frame through the jitter buffer: insert a PCM datagram payload, then play out one frame, on
 * virtual time with a few milliseconds of jitter. Baseline: what a user would write without TIP,
 * a bounded {@link ArrayBlockingQueue} of frames (offer, poll, copy).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Thread)
public class JitterBufferBenchmark {

    private static final AudioFormat FORMAT = AudioFormat.ORIGINAL;
    private static final long FRAME = FORMAT.frameNanos();

    private JitterBuffer buffer;
    private ByteBuffer payload;
    private short[] out;
    private short[] frame;
    private long[] jitter;
    private int seq;
    private ArrayBlockingQueue<short[]> queue;

    /** Fresh buffer and payload. */
    @Setup(Level.Trial)
    public void setUp() {
        buffer = JitterBuffer.builder(FORMAT).build();
        payload = ByteBuffer.allocate(FORMAT.frameBytes());
        for (int i = 0; i < FORMAT.frameLength(); i++) {
            short s = (short) (3000 * Math.sin(i / 10.0));
            payload.put(2 * i, (byte) s).put(2 * i + 1, (byte) (s >> 8));
        }
        out = new short[FORMAT.frameLength()];
        frame = new short[FORMAT.frameLength()];
        jitter = new long[1024];
        java.util.SplittableRandom r = new java.util.SplittableRandom(7);
        for (int i = 0; i < jitter.length; i++) {
            jitter[i] = r.nextLong(8_000_000L);
        }
        queue = new ArrayBlockingQueue<>(16);
    }

    /**
     * Inserts one frame and plays one frame.
     *
     * @return a sample, so that the work is not eliminated
     */
    @Benchmark
    public short insertAndPlayout() {
        int s = seq++;
        long arrival = s * FRAME + 20_000_000L + jitter[s & 1023];
        buffer.insert(s & 0xFFFF, (long) s * FORMAT.samplesPerFrame(), false, payload, 0, FORMAT.frameBytes(), arrival);
        buffer.playout(s * FRAME + 40_000_000L, out);
        return out[100];
    }

    /**
     * The queue a user would write: decode the payload into a frame, offer, poll, copy out.
     *
     * @return a sample, so that the work is not eliminated
     */
    @Benchmark
    public short insertAndPlayoutBaseline() {
        for (int i = 0; i < frame.length; i++) {
            frame[i] = (short) ((payload.get(2 * i) & 0xFF) | (payload.get(2 * i + 1) << 8));
        }
        queue.offer(frame);
        short[] f = queue.poll();
        System.arraycopy(f, 0, out, 0, out.length);
        return out[100];
    }
}
