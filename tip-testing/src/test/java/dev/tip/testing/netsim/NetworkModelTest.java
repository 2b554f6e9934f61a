package dev.tip.testing.netsim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class NetworkModelTest {
    private static final int RATE = 20_000;
    private static final int FRAME = 512;
    private static final long FRAME_NANOS = FRAME * 1_000_000_000L / RATE;

    private static NetworkModel p2() {
        return NetworkModel.builder()
                .base(Duration.ofMillis(40))
                .pareto(2.5, Duration.ofMillis(5))
                .correlation(0.5)
                .gilbertElliott(0.01, 0.3)
                .build();
    }

    @Test
    void theSameSeedGivesTheSameTraceAndAnotherSeedAnother() {
        Trace a = p2().generate(RATE, FRAME, Duration.ofSeconds(60), 42);
        Trace b = p2().generate(RATE, FRAME, Duration.ofSeconds(60), 42);
        Trace c = p2().generate(RATE, FRAME, Duration.ofSeconds(60), 43);
        assertThat(a.arrivalNanos()).isEqualTo(b.arrivalNanos());
        assertThat(a.delayNanos()).isEqualTo(b.delayNanos());
        assertThat(a.delayNanos()).isNotEqualTo(c.delayNanos());
    }

    @Test
    void gilbertElliottLossIsNearItsStationaryRateAndBursty() {
        Trace t = p2().generate(RATE, FRAME, Duration.ofMinutes(10), 1);
        double loss = t.networkLost() / (double) t.sent();
        assertThat(loss).isBetween(0.02, 0.045); // p / (p + r) = 3.2%
        int bursts = 0;
        for (int i = 1; i < t.sent(); i++) {
            if (t.delayNanos()[i] < 0 && t.delayNanos()[i - 1] >= 0) {
                bursts++;
            }
        }
        assertThat(t.networkLost() / (double) bursts).isGreaterThan(2.5); // mean burst 1 / r = 3.3
    }

    @Test
    void heavyTailedCorrelatedJitterReordersSomePackets() {
        Trace t = p2().generate(RATE, FRAME, Duration.ofMinutes(5), 1);
        int reordered = 0;
        for (int i = 1; i < t.arrivals(); i++) {
            if (t.arrivalPacket()[i] < t.arrivalPacket()[i - 1]) {
                reordered++;
            }
        }
        assertThat(reordered).isPositive();
        long min = Long.MAX_VALUE;
        for (long d : t.delayNanos()) {
            if (d >= 0) {
                min = Math.min(min, d);
            }
        }
        assertThat(min).isGreaterThanOrEqualTo(45_000_000L); // base 40 + Pareto minimum 5
    }

    @Test
    void gammaJitterHasItsMean() {
        Trace t = NetworkModel.builder()
                .base(Duration.ofMillis(20))
                .gamma(2, Duration.ofMillis(4))
                .build()
                .generate(RATE, FRAME, Duration.ofMinutes(5), 9);
        double sum = 0;
        for (long d : t.delayNanos()) {
            sum += d;
        }
        assertThat(sum / t.sent() / 1e6).isBetween(27.5, 28.5); // 20 + k * theta
    }

    @Test
    void spikesStepsDriftDuplicatesAndTalkSpurtsShapeTheTrace() {
        NetworkModel base = NetworkModel.builder().base(Duration.ofMillis(20)).build();
        Trace spiky = base.toBuilder()
                .spikes(Duration.ofSeconds(20), Duration.ofMillis(300))
                .step(Duration.ofSeconds(30), Duration.ofMillis(80))
                .build()
                .generate(RATE, FRAME, Duration.ofSeconds(60), 1);
        long max = 0;
        for (int i = 0; i < spiky.sent() && spiky.sendNanos()[i] < 30_000_000_000L; i++) {
            max = Math.max(max, spiky.delayNanos()[i]);
        }
        assertThat(max).isBetween(300_000_000L, 320_000_000L); // the spike at 10 s: 20 + up to 300
        assertThat(spiky.delayNanos()[spiky.sent() - 1]).isEqualTo(100_000_000L);

        Trace fast = base.toBuilder().drift(500).build().generate(RATE, FRAME, Duration.ofSeconds(100), 1);
        long last = fast.sendNanos()[fast.sent() - 1];
        long nominal = (fast.sent() - 1) * FRAME_NANOS;
        assertThat(nominal - last).isBetween(49_000_000L, 51_000_000L); // 500 ppm of 100 s

        Trace dup = base.toBuilder()
                .duplicates(0.1, Duration.ofMillis(40))
                .build()
                .generate(RATE, FRAME, Duration.ofSeconds(60), 1);
        assertThat(dup.arrivals() - dup.sent()).isBetween((int) (dup.sent() * 0.07), (int) (dup.sent() * 0.13));

        Trace talk = base.toBuilder()
                .talkSpurts(Duration.ofMillis(1000), Duration.ofMillis(1500))
                .build()
                .generate(RATE, FRAME, Duration.ofMinutes(5), 1);
        double talking = talk.sent() / (300.0 * 1e9 / FRAME_NANOS);
        assertThat(talking).isBetween(0.3, 0.5);
        int markers = 0;
        for (boolean m : talk.marker()) {
            markers += m ? 1 : 0;
        }
        assertThat(markers).isBetween(80, 160); // one per 2.5 s on average
        // sequence numbers count sent packets and wrap; timestamps keep running in silence
        for (int i = 1; i < talk.sent(); i++) {
            assertThat(talk.seq()[i]).isEqualTo((talk.seq()[i - 1] + 1) & 0xFFFF);
            long dts = (talk.ts()[i] - talk.ts()[i - 1]) & 0xFFFF_FFFFL;
            assertThat(dts % 512).isZero();
            if (!talk.marker()[i]) {
                assertThat(dts).isEqualTo(512);
            }
        }
    }

    @Test
    void badParametersAreNamed() {
        assertThatThrownBy(() -> NetworkModel.builder().gilbertElliott(0.1, 0)).hasMessageContaining("r must");
        assertThatThrownBy(() -> NetworkModel.builder().pareto(1, Duration.ofMillis(1)))
                .hasMessageContaining("alpha");
        assertThatThrownBy(() -> NetworkModel.builder().correlation(1)).hasMessageContaining("correlation");
    }
}
