package dev.tip.core.audio;

import static dev.tip.core.audio.Frames.FRAME;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tip.core.audio.Frames.Arrival;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

class JitterBufferPropertyTest {

    @Provide
    Arbitrary<List<Integer>> jitterMillis() {
        return Arbitraries.integers().between(0, 50).list().ofMinSize(20).ofMaxSize(120);
    }

    /**
     * Packets delayed by 0..50 ms (reordering up to two frames) after three that took 70 ms, which
     * set the buffer's depth: every frame plays exactly once, in order.
     */
    @Property(tries = 100)
    void underReorderingWithinItsDepthEveryFramePlaysOnceInOrder(
            @ForAll("jitterMillis") List<Integer> jitter, @ForAll @IntRange(min = 0, max = 65535) int seq0) {
        int n = jitter.size();
        List<Arrival> a = new ArrayList<>();
        for (int k = 0; k < n; k++) {
            long delay = k < 3 ? 70 : jitter.get(k);
            a.add(new Arrival(
                    k * FRAME + delay * 1_000_000L, (seq0 + k) & 0xFFFF, k * 512L, k == 0, Frames.constant(k)));
        }
        JitterBuffer b = JitterBuffer.builder(Frames.FORMAT).build();
        short[] out = Frames.drive(b, a, n * FRAME + 600_000_000L);
        assertThat(Frames.plateaus(out, out.length))
                .containsExactlyElementsOf(IntStream.range(0, n).boxed().toList());
        assertThat(b.stats().played()).isEqualTo(n);
        assertThat(b.stats().late()).isZero();
    }

    /** Any number of copies of any packets, at any later time: no frame plays twice. */
    @Property(tries = 150)
    void duplicatesNeverPlayTwice(
            @ForAll @Size(min = 1, max = 60) List<@IntRange(min = 0, max = 59) Integer> copied,
            @ForAll @IntRange(min = 0, max = 300) int copyDelayMillis) {
        int n = 60;
        List<Arrival> a = new ArrayList<>();
        for (int k = 0; k < n; k++) {
            a.add(new Arrival(k * FRAME + 20_000_000L, k, k * 512L, k == 0, Frames.constant(k)));
        }
        for (int k : copied) {
            a.add(new Arrival(
                    k * FRAME + 20_000_000L + copyDelayMillis * 1_000_000L, k, k * 512L, k == 0, Frames.constant(k)));
        }
        JitterBuffer b = JitterBuffer.builder(Frames.FORMAT).build();
        short[] out = Frames.drive(b, a, n * FRAME + 900_000_000L);
        List<Integer> played = Frames.plateaus(out, out.length);
        assertThat(played).doesNotHaveDuplicates().isSorted();
        assertThat(b.stats().played()).isEqualTo(n);
        assertThat(b.stats().duplicates() + b.stats().late()).isEqualTo(copied.size());
    }

    @Provide
    Arbitrary<List<int[]>> chaos() {
        // (sequence, timestamp in frames, delay in ms, marker): anything, including garbage
        return Arbitraries.integers()
                .between(0, 65535)
                .array(int[].class)
                .ofSize(4)
                .list()
                .ofMinSize(1)
                .ofMaxSize(300)
                .map(xs -> {
                    List<int[]> out = new ArrayList<>();
                    for (int i = 0; i < xs.size(); i++) {
                        int[] x = xs.get(i);
                        // mostly a plausible stream, sometimes wild
                        boolean wild = x[3] % 7 == 0;
                        out.add(new int[] {
                            wild ? x[0] : i + x[0] % 3, wild ? x[1] : i, x[2] % 3000, x[3] % 11 == 0 ? 1 : 0
                        });
                    }
                    return out;
                });
    }

    /** Whatever arrives, in whatever order, the buffering delay of played frames stays bounded. */
    @Property(tries = 60)
    void delayStaysBoundedUnderAnyInput(@ForAll("chaos") List<int[]> packets) {
        long maxDelay = 300_000_000L;
        JitterBuffer b = JitterBuffer.builder(Frames.FORMAT)
                .maxDelay(Duration.ofNanos(maxDelay))
                .build();
        List<Arrival> a = new ArrayList<>();
        for (int i = 0; i < packets.size(); i++) {
            int[] p = packets.get(i);
            a.add(new Arrival(
                    i * FRAME + p[2] * 1_000_000L, p[0], (long) p[1] * 512, p[3] == 1, Frames.constant(i % 4000)));
        }
        a.sort((x, y) -> Long.compare(x.atNanos(), y.atNanos()));
        short[] out = new short[Frames.CALL];
        int next = 0;
        long end = packets.size() * FRAME + 4_000_000_000L;
        for (long now = 0; now < end; now += Frames.CALL_NANOS) {
            while (next < a.size() && a.get(next).atNanos() <= now) {
                Arrival x = a.get(next++);
                b.insert(x.seq(), x.ts(), x.marker(), x.pcm(), 0, x.pcm().length, x.atNanos());
            }
            b.playout(now, out);
            assertThat(b.stats().currentDelayNanos()).isLessThanOrEqualTo(maxDelay);
        }
        JitterBufferStats s = b.stats();
        assertThat(s.played() + s.late() + s.duplicates() + s.overflowDropped()).isLessThanOrEqualTo(packets.size());
    }
}
