package dev.tip.core.audio;

import static dev.tip.core.audio.Frames.FRAME;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tip.core.audio.Frames.Arrival;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class JitterBufferTest {

    private static JitterBuffer buffer() {
        return JitterBuffer.builder(Frames.FORMAT).build();
    }

    /** Frames 0..n-1 sent every frame from seq0/ts0, each arriving base + jitter(k) later. */
    private static List<Arrival> stream(
            int n, int seq0, long ts0, long baseNanos, java.util.function.IntToLongFunction jitter) {
        List<Arrival> a = new ArrayList<>();
        for (int k = 0; k < n; k++) {
            a.add(new Arrival(
                    k * FRAME + baseNanos + jitter.applyAsLong(k),
                    (seq0 + k) & 0xFFFF,
                    (ts0 + (long) k * 512) & 0xFFFF_FFFFL,
                    k == 0,
                    Frames.constant(k)));
        }
        return a;
    }

    @Test
    void framesArrivingInOrderPlayOnceEachInOrder() {
        JitterBuffer b = buffer();
        short[] out = Frames.drive(
                b, stream(200, 100, 5000, 20_000_000L, k -> (k * 37 % 11) * 1_000_000L), 200 * FRAME + 500_000_000L);
        List<Integer> played = Frames.plateaus(out, out.length);
        assertThat(played)
                .containsExactlyElementsOf(IntStream.range(0, 200).boxed().toList());
        assertThat(b.stats().played()).isEqualTo(200);
        assertThat(b.stats().late()).isZero();
    }

    @Test
    void reorderedFramesPlayInSequenceOrder() {
        JitterBuffer b = buffer();
        // the first frame is the slowest, so the buffer starts deep enough; then pairs swap places
        List<Arrival> a = stream(150, 7, 0, 20_000_000L, k -> k == 0 ? 60_000_000L : (k % 2 == 0 ? 40_000_000L : 0));
        short[] out = Frames.drive(b, a, 150 * FRAME + 500_000_000L);
        assertThat(Frames.plateaus(out, out.length))
                .containsExactlyElementsOf(IntStream.range(0, 150).boxed().toList());
        assertThat(b.stats().late()).isZero();
    }

    @Test
    void duplicatesAreDroppedAndCounted() {
        JitterBuffer b = buffer();
        List<Arrival> a = stream(100, 0, 0, 20_000_000L, k -> 0);
        List<Arrival> copies = new ArrayList<>(a);
        for (int k = 10; k < 100; k += 10) {
            Arrival x = a.get(k);
            copies.add(new Arrival(x.atNanos() + 3_000_000L, x.seq(), x.ts(), x.marker(), x.pcm()));
            copies.add(new Arrival(x.atNanos() + 90_000_000L, x.seq(), x.ts(), x.marker(), x.pcm()));
        }
        short[] out = Frames.drive(b, copies, 100 * FRAME + 500_000_000L);
        assertThat(Frames.plateaus(out, out.length))
                .containsExactlyElementsOf(IntStream.range(0, 100).boxed().toList());
        assertThat(b.stats().duplicates()).isEqualTo(18);
        assertThat(b.stats().played()).isEqualTo(100);
    }

    @Test
    void sequenceAndTimestampWrapAroundAreSeamless() {
        JitterBuffer b = buffer();
        // sequence wraps after 20 frames, timestamp after 30
        List<Arrival> a = stream(80, 65516, 0x1_0000_0000L - 30 * 512, 20_000_000L, k -> (k % 3) * 2_000_000L);
        short[] out = Frames.drive(b, a, 80 * FRAME + 500_000_000L);
        assertThat(Frames.plateaus(out, out.length))
                .containsExactlyElementsOf(IntStream.range(0, 80).boxed().toList());
        assertThat(b.stats().late()).isZero();
        assertThat(b.stats().restarts()).isZero();
    }

    @Test
    void aSenderRestartWithNewNumbersIsFollowed() {
        JitterBuffer b = buffer();
        List<Arrival> a = new ArrayList<>(stream(50, 1000, 77_000, 20_000_000L, k -> 0));
        // the sender restarts 50 frames later with unrelated sequence numbers and timestamps
        for (int k = 50; k < 100; k++) {
            a.add(new Arrival(
                    k * FRAME + 20_000_000L,
                    (40_000 + k) & 0xFFFF,
                    9_000_000L + k * 512L,
                    k == 50,
                    Frames.constant(k)));
        }
        short[] out = Frames.drive(b, a, 100 * FRAME + 500_000_000L);
        List<Integer> played = Frames.plateaus(out, out.length);
        assertThat(b.stats().restarts()).isEqualTo(1);
        assertThat(played).startsWith(IntStream.range(0, 50).boxed().toArray(Integer[]::new));
        // the first packet after the jump only announces the restart; the rest play in order
        assertThat(played.subList(50, played.size()))
                .containsExactlyElementsOf(IntStream.range(51, 100).boxed().toList());
    }

    @Test
    void senderClockDriftOfFiveHundredPpmKeepsTheDelaySteady() {
        for (double ppm : new double[] {500, -500}) {
            JitterBuffer b = buffer();
            double period = FRAME / (1 + ppm * 1e-6);
            int n = (int) (120_000_000_000L / FRAME); // two minutes
            SplittableRandom r = new SplittableRandom(3);
            List<Arrival> a = new ArrayList<>();
            for (int k = 0; k < n; k++) {
                a.add(new Arrival(
                        Math.round(k * period) + 20_000_000L + r.nextLong(8_000_000L),
                        k & 0xFFFF,
                        k * 512L,
                        k == 0,
                        Frames.constant(k % 4000)));
            }
            Frames.drive(b, a, n * FRAME + 500_000_000L);
            JitterBufferStats s = b.stats();
            assertThat(s.meanDelayNanos()).as("mean delay at %s ppm", ppm).isLessThan(25_000_000L);
            assertThat(s.p95DelayNanos()).as("p95 delay at %s ppm", ppm).isLessThan(40_000_000L);
            assertThat(s.late() + s.waits()).as("late or waited at %s ppm", ppm).isLessThan(n / 50);
        }
    }

    @Test
    void aTalkSpurtAfterSilenceStartsCleanlyAndSilencePlaysInBetween() {
        JitterBuffer b = buffer();
        List<Arrival> a = new ArrayList<>(stream(40, 0, 0, 20_000_000L, k -> 0));
        // 2 s of silence (nothing sent, timestamps run on), then a new spurt with the marker
        long gap = 78;
        for (int k = 0; k < 40; k++) {
            long frame = 40 + gap + k;
            a.add(new Arrival(frame * FRAME + 20_000_000L, 40 + k, frame * 512, k == 0, Frames.constant(40 + k)));
        }
        short[] out = Frames.drive(b, a, (80 + gap) * FRAME + 500_000_000L);
        assertThat(Frames.plateaus(out, out.length))
                .containsExactlyElementsOf(IntStream.range(0, 80).boxed().toList());
        int silentRun = 0;
        int longest = 0;
        for (short s : out) {
            silentRun = s == 0 ? silentRun + 1 : 0;
            longest = Math.max(longest, silentRun);
        }
        assertThat(longest).as("silence between spurts, in samples").isGreaterThan(20_000 * 3 / 2);
        // waits after the end of the first spurt were for silence, not for late packets; after the
        // last spurt nothing comes to tell, so up to three frames of waiting remain counted
        assertThat(b.stats().waits()).as("frames waited").isLessThanOrEqualTo(3);
    }

    @Test
    void aLostFrameIsConcealedWithoutClicks() {
        JitterBuffer b = buffer();
        List<Arrival> a = new ArrayList<>();
        for (int k = 0; k < 120; k++) {
            boolean lost = k == 30 || (k >= 60 && k < 68);
            if (!lost) {
                a.add(new Arrival(k * FRAME + 20_000_000L, k, k * 512L, k == 0, Frames.sine(k)));
            }
        }
        short[] out = Frames.drive(b, a, 120 * FRAME + 300_000_000L);
        // a 200 Hz sine of amplitude 8000 at 20 kHz moves at most about 503 per sample
        int firstSound = 0;
        while (out[firstSound] == 0) {
            firstSound++;
        }
        assertThat(Frames.maxStep(out, firstSound + 200, out.length)).isLessThan(900);
        JitterBufferStats s = b.stats();
        assertThat(s.missing()).isEqualTo(9);
        // one frame for the single loss; the long run is concealed until it has faded, then silent
        assertThat(s.concealed()).isBetween(4L, 9L);
        // eight frames in a row (205 ms) fade to silence before the audio resumes
        int longestQuiet = 0;
        int run = 0;
        for (short x : out) {
            run = Math.abs(x) < 50 ? run + 1 : 0;
            longestQuiet = Math.max(longestQuiet, run);
        }
        assertThat(longestQuiet).isGreaterThan(2000);
    }

    /** An estimator that asks for a fixed delay above the fastest packet it saw. */
    private static final class FixedEstimator implements DelayEstimator {
        private final long aboveFloor;
        private long floor = Long.MAX_VALUE;
        int arrivals;

        FixedEstimator(long aboveFloor) {
            this.aboveFloor = aboveFloor;
        }

        @Override
        public void onArrival(long arrivalNanos, long relativeDelayNanos) {
            arrivals++;
            floor = Math.min(floor, relativeDelayNanos);
        }

        @Override
        public long targetNanos() {
            return floor + aboveFloor;
        }

        @Override
        public long floorNanos() {
            return floor;
        }

        @Override
        public void shift(long deltaNanos) {
            floor += deltaNanos;
        }
    }

    @Test
    void aSuppliedDelayEstimatorSetsTheDelayOnTheSamePlayoutMachinery() {
        List<FixedEstimator> made = new ArrayList<>();
        JitterBuffer.Builder builder = JitterBuffer.builder(Frames.FORMAT).delayEstimator(() -> {
            FixedEstimator e = new FixedEstimator(120_000_000L);
            made.add(e);
            return e;
        });
        JitterBuffer b = builder.build();
        JitterBuffer other = builder.build();
        assertThat(made).hasSize(2).doesNotHaveDuplicates(); // one estimator per buffer
        short[] out = Frames.drive(b, stream(300, 0, 0, 20_000_000L, k -> 0), 300 * FRAME + 500_000_000L);
        assertThat(Frames.plateaus(out, out.length))
                .containsExactlyElementsOf(IntStream.range(0, 300).boxed().toList());
        JitterBufferStats st = b.stats();
        assertThat(made.get(0).arrivals).isEqualTo(300);
        assertThat(made.get(1).arrivals).isZero();
        assertThat(st.targetDelayNanos()).isEqualTo(120_000_000L);
        // the default estimator would hold a steady stream near its 40 ms start; this one holds 120 ms
        assertThat(st.meanDelayNanos()).isBetween(100_000_000L, 140_000_000L);
        assertThat(other.stats().played()).isZero();
        assertThatThrownBy(() -> JitterBuffer.builder(Frames.FORMAT)
                        .delayEstimator(() -> null)
                        .build())
                .isInstanceOf(NullPointerException.class)
                .hasMessageContaining("delay estimator");
    }

    @Test
    void theAcousticDelayCountsWhatWaitsBetweenPlayoutCalls() {
        JitterBuffer b = buffer();
        Frames.drive(b, stream(300, 0, 0, 20_000_000L, k -> 0), 300 * FRAME + 500_000_000L);
        JitterBufferStats st = b.stats();
        assertThat(st.heardFrames()).isEqualTo(300);
        assertThat(st.heardMeanDelayNanos()).isEqualTo(st.heardDelaySumNanos() / 300);
        // heard no earlier than the playout call that needed the frame
        assertThat(st.heardMeanDelayNanos()).isGreaterThanOrEqualTo(st.meanDelayNanos());
        assertThat(st.heardP95DelayNanos()).isGreaterThanOrEqualTo(st.heardMeanDelayNanos() - 500_000L);
        assertThat(st.heardMeanDelay()).isEqualTo(Duration.ofNanos(st.heardMeanDelayNanos()));
    }

    @Test
    void theDelayNeverExceedsTheMaximumEvenWhenPacketsFlood() {
        JitterBuffer b = JitterBuffer.builder(Frames.FORMAT)
                .maxDelay(Duration.ofMillis(200))
                .build();
        short[] out = new short[Frames.CALL];
        short[] frame = Frames.constant(1);
        long now = 0;
        int seq = 0;
        for (int c = 0; c < 5000; c++) {
            now = c * Frames.CALL_NANOS;
            // the sender floods: two frames for every frame played
            if (c % 2 == 0) {
                b.insert(seq, seq * 512L, false, frame, 0, frame.length, now);
                seq++;
            }
            b.playout(now, out);
            assertThat(b.stats().currentDelayNanos()).isLessThanOrEqualTo(200_000_000L + 2 * FRAME);
        }
        assertThat(b.stats().overflowDropped() + b.stats().adjustments()).isPositive();
    }

    @Test
    void aPacketAfterItsPlayoutTimeIsLate() {
        JitterBuffer b = buffer();
        List<Arrival> a = stream(60, 0, 0, 20_000_000L, k -> k == 30 ? 400_000_000L : 0);
        Frames.drive(b, a, 60 * FRAME + 600_000_000L);
        assertThat(b.stats().late()).isEqualTo(1);
        assertThat(b.stats().missing()).isEqualTo(1);
    }

    @Test
    void unsequencedStreamsPlayInArrivalOrder() {
        JitterBuffer b = buffer();
        short[] out = new short[Frames.CALL];
        short[] all = new short[Frames.CALL * 4 * 140];
        int k = 0;
        for (int c = 0; c < 4 * 140; c++) {
            long now = c * Frames.CALL_NANOS;
            if (c % 4 == 0 && k < 100) {
                short[] f = Frames.constant(k++);
                ByteBuffer bytes = ByteBuffer.allocate(f.length * 2);
                for (int i = 0; i < f.length; i++) {
                    bytes.put(2 * i, (byte) f[i]).put(2 * i + 1, (byte) (f[i] >> 8));
                }
                assertThat(b.insertUnsequenced(bytes, 0, bytes.capacity(), now)).isEqualTo(JitterBuffer.INSERTED);
            }
            b.playout(now, out);
            System.arraycopy(out, 0, all, c * Frames.CALL, Frames.CALL);
        }
        assertThat(Frames.plateaus(all, all.length))
                .containsExactlyElementsOf(IntStream.range(0, 100).boxed().toList());
    }

    @Test
    void steadyStateAllocatesNothingPerFrame() {
        JitterBuffer b = buffer();
        ByteBuffer payload = ByteBuffer.allocate(1024);
        short[] out = new short[Frames.CALL];
        SplittableRandom r = new SplittableRandom(1);
        long[] jitter = new long[20_000];
        for (int i = 0; i < jitter.length; i++) {
            jitter[i] = r.nextLong(10_000_000L);
        }
        int seq = 0;
        int call = 0;
        long before = 0;
        for (int round = 0; round < 2; round++) {
            if (round == 1) {
                before = allocatedBytes();
            }
            for (int f = 0; f < 5000; f++, seq++) {
                long arrival = seq * FRAME + 20_000_000L + jitter[seq];
                while (call * Frames.CALL_NANOS < arrival) {
                    b.playout(call * Frames.CALL_NANOS, out);
                    call++;
                }
                b.insert(seq & 0xFFFF, seq * 512L, false, payload, 0, 1024, arrival);
            }
        }
        long allocated = allocatedBytes() - before;
        // one small object per frame would be 80 KB; the JIT may allocate a little on this thread
        assertThat(allocated).as("bytes allocated by 5000 frames").isLessThan(16 * 1024);
    }

    /** The JDK's per-thread allocation counter, reached reflectively (the tests compile inside the module). */
    static long allocatedBytes() {
        try {
            Object mx = Class.forName("java.lang.management.ManagementFactory")
                    .getMethod("getThreadMXBean")
                    .invoke(null);
            return (Long) Class.forName("com.sun.management.ThreadMXBean")
                    .getMethod("getCurrentThreadAllocatedBytes")
                    .invoke(mx);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError("the JDK does not count allocations", e);
        }
    }

    @Test
    void badPlayoutLengthsAndSettingsAreTheCallersError() {
        JitterBuffer b = buffer();
        assertThatThrownBy(() -> b.playout(0, new short[2000])).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> JitterBuffer.builder(Frames.FORMAT).maxDelay(Duration.ofMillis(1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maxDelay");
        assertThatThrownBy(() -> JitterBuffer.builder(Frames.FORMAT).targetLateLoss(0.5))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("targetLateLoss");
        assertThatThrownBy(() -> JitterBuffer.builder(Frames.FORMAT).history(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("history");
    }

    @Test
    void stereoFramesAt48kHzKeepTheirChannelsThroughJitterAndLoss() {
        dev.tip.core.voice.AudioFormat stereo = new dev.tip.core.voice.AudioFormat(48_000, 2, 16, 960);
        JitterBuffer b = JitterBuffer.builder(stereo).build();
        long frame = stereo.frameNanos();
        long call = 5_000_000L; // 240 sample frames, 480 shorts
        short[] out = new short[480];
        SplittableRandom r = new SplittableRandom(5);
        List<long[]> arrivals = new ArrayList<>();
        for (int k = 0; k < 300; k++) {
            if (k % 37 != 5) {
                arrivals.add(new long[] {k * frame + 20_000_000L + r.nextLong(15_000_000L), k});
            }
        }
        arrivals.sort((x, y) -> Long.compare(x[0], y[0]));
        short[] f = new short[stereo.frameLength()];
        int next = 0;
        int mismatched = 0;
        for (long now = 0; now < 300 * frame + 500_000_000L; now += call) {
            while (next < arrivals.size() && arrivals.get(next)[0] <= now) {
                int k = (int) arrivals.get(next)[1];
                for (int i = 0; i < 960; i++) {
                    // left is a tone, right is its negative: any channel slip breaks the symmetry
                    short v = (short) Math.round(6000 * Math.sin(2 * Math.PI * 300 * (k * 960L + i) / 48_000));
                    f[2 * i] = v;
                    f[2 * i + 1] = (short) -v;
                }
                b.insert(k, k * 960L, k == 0, f, 0, f.length, arrivals.get(next)[0]);
                next++;
            }
            b.playout(now, out);
            for (int i = 0; i < out.length; i += 2) {
                if (Math.abs(out[i] + out[i + 1]) > 2) {
                    mismatched++;
                }
            }
        }
        assertThat(mismatched).isZero();
        assertThat(b.stats().played()).isGreaterThan(280);
        assertThat(b.stats().missing()).isGreaterThanOrEqualTo(8);
    }

    @Test
    void anEmptyBufferPlaysSilence() {
        JitterBuffer b = buffer();
        short[] out = new short[512];
        java.util.Arrays.fill(out, (short) 5);
        assertThat(b.playout(0, out)).isEqualTo(JitterBuffer.Playout.SILENCE);
        assertThat(out).containsOnly((short) 0);
        assertThat(b.stats().targetDelayNanos()).isZero();
    }
}
