package dev.tip.core.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

class PlayoutQueueTest {

    private static ByteBuffer frameOf(int value, int samples) {
        ByteBuffer b = ByteBuffer.allocate(samples * 2).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < samples; i++) {
            b.putShort((short) (value + i));
        }
        return b;
    }

    @Test
    void framesComeOutInArrivalOrderAsLittleEndianSamples() {
        PlayoutQueue q = new PlayoutQueue(4, 8);
        q.offer(frameOf(100, 8), 16);
        q.offer(frameOf(-300, 8), 16);
        short[] out = new short[8];
        assertThat(q.poll(out)).isTrue();
        assertThat(out)
                .containsExactly(
                        (short) 100,
                        (short) 101,
                        (short) 102,
                        (short) 103,
                        (short) 104,
                        (short) 105,
                        (short) 106,
                        (short) 107);
        assertThat(q.poll(out)).isTrue();
        assertThat(out[0]).isEqualTo((short) -300);
        assertThat(q.poll(out)).as("empty: the caller plays silence").isFalse();
        assertThat(out[0]).as("an empty poll writes nothing").isEqualTo((short) -300);
    }

    @Test
    void aFullQueueDropsTheOldestSoTheDelayStaysCapped() {
        PlayoutQueue q = new PlayoutQueue(4, 8);
        for (int i = 0; i < 10; i++) {
            boolean overflow = q.offer(frameOf(i * 1000, 8), 16);
            assertThat(overflow).isEqualTo(i >= 4);
            assertThat(q.size()).isLessThanOrEqualTo(4);
        }
        assertThat(q.dropped()).isEqualTo(6);
        short[] out = new short[8];
        for (int expected = 6; expected < 10; expected++) {
            assertThat(q.poll(out)).isTrue();
            assertThat(out[0]).isEqualTo((short) (expected * 1000));
        }
        assertThat(q.poll(out)).isFalse();
    }

    @Test
    void aShortDatagramIsPaddedWithSilenceAndALongOneIsCut() {
        PlayoutQueue q = new PlayoutQueue(2, 8);
        short[] out = new short[8];
        q.offer(frameOf(7, 8), 16);
        q.poll(out);
        q.offer(frameOf(50, 3), 6);
        q.poll(out);
        assertThat(out)
                .containsExactly(
                        (short) 50, (short) 51, (short) 52, (short) 0, (short) 0, (short) 0, (short) 0, (short) 0);
        q.offer(frameOf(1, 20), 16);
        q.poll(out);
        assertThat(out[7]).isEqualTo((short) 8);
    }

    @Test
    void wrapsAroundTheRingManyTimes() {
        PlayoutQueue q = new PlayoutQueue(3, 4);
        short[] out = new short[4];
        for (int i = 0; i < 1000; i++) {
            q.offer(frameOf(i, 4), 8);
            if (i % 2 == 0) {
                q.offer(frameOf(i + 20_000, 4), 8);
                assertThat(q.poll(out)).isTrue();
                assertThat(out[0]).isEqualTo((short) i);
                assertThat(q.poll(out)).isTrue();
                assertThat(out[0]).isEqualTo((short) (i + 20_000));
            } else {
                assertThat(q.poll(out)).isTrue();
                assertThat(out[0]).isEqualTo((short) i);
            }
        }
        assertThat(q.size()).isZero();
        assertThat(q.dropped()).isZero();
    }

    @Test
    void rejectsANonPositiveCapacity() {
        assertThatThrownBy(() -> new PlayoutQueue(0, 512))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("capacity");
    }
}
