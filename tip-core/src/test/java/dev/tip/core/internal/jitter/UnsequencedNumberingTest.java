package dev.tip.core.internal.jitter;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class UnsequencedNumberingTest {
    private static final long FRAME = 25_600_000L;
    private static final int SPF = 512;

    @Test
    void framesAreNumberedInArrivalOrderOneFrameApart() {
        UnsequencedNumbering n = new UnsequencedNumbering(FRAME, SPF);
        long first = n.next(1_000);
        assertThat(UnsequencedNumbering.seq(first)).isZero();
        assertThat(UnsequencedNumbering.ts(first)).isZero();
        assertThat(UnsequencedNumbering.marker(first)).isTrue(); // the first frame starts a spurt
        // jitter does not move the timestamp: each frame follows the last by one frame
        long second = n.next(1_000 + FRAME / 3);
        assertThat(UnsequencedNumbering.seq(second)).isEqualTo(1);
        assertThat(UnsequencedNumbering.ts(second)).isEqualTo(SPF);
        assertThat(UnsequencedNumbering.marker(second)).isFalse();
        long third = n.next(1_000 + FRAME / 3 + 4 * FRAME); // a pause of exactly four frames
        assertThat(UnsequencedNumbering.ts(third)).isEqualTo(2 * SPF);
        assertThat(UnsequencedNumbering.marker(third)).isFalse();
    }

    @Test
    void aPauseLongerThanFourFramesStartsASpurtThatAdvancesTheTimestampByThePause() {
        UnsequencedNumbering n = new UnsequencedNumbering(FRAME, SPF);
        n.next(0);
        long spurt = n.next(10 * FRAME + FRAME / 4); // 10.25 frames later: rounds to 10
        assertThat(UnsequencedNumbering.marker(spurt)).isTrue();
        assertThat(UnsequencedNumbering.seq(spurt)).isEqualTo(1);
        assertThat(UnsequencedNumbering.ts(spurt)).isEqualTo(10L * SPF);
        long next = n.next(11 * FRAME);
        assertThat(UnsequencedNumbering.marker(next)).isFalse();
        assertThat(UnsequencedNumbering.ts(next)).isEqualTo(11L * SPF);
    }

    @Test
    void sequenceNumbersWrapAt16BitsAndTimestampsAt32() {
        UnsequencedNumbering n = new UnsequencedNumbering(FRAME, SPF);
        long last = 0;
        for (int i = 0; i <= 65_536; i++) {
            last = n.next(i * FRAME);
        }
        assertThat(UnsequencedNumbering.seq(last)).isZero();
        assertThat(UnsequencedNumbering.ts(last)).isEqualTo((65_536L * SPF) & 0xFFFF_FFFFL);
        UnsequencedNumbering m = new UnsequencedNumbering(FRAME, SPF);
        m.next(0);
        long far = m.next(9_000_000L * FRAME); // 9e6 frames * 512 > 2^32
        assertThat(UnsequencedNumbering.ts(far)).isEqualTo((9_000_000L * SPF) & 0xFFFF_FFFFL);
        assertThat(UnsequencedNumbering.marker(far)).isTrue();
        assertThat(UnsequencedNumbering.seq(far)).isEqualTo(1);
    }
}
