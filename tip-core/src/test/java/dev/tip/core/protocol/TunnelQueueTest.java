package dev.tip.core.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

class TunnelQueueTest {

    private static ByteBuffer datagram(int first, int length) {
        ByteBuffer b = ByteBuffer.allocate(length);
        for (int i = 0; i < length; i++) {
            b.put(i, (byte) (first + i));
        }
        return b;
    }

    @Test
    void aFullQueueDropsItsOldestAndCountsIt() {
        TunnelQueue q = new TunnelQueue(3, 100);
        assertThat(q.offer(datagram(1, 10))).isEqualTo(TunnelQueue.QUEUED_FIRST);
        assertThat(q.offer(datagram(2, 10))).isEqualTo(TunnelQueue.QUEUED);
        assertThat(q.offer(datagram(3, 10))).isEqualTo(TunnelQueue.QUEUED);
        assertThat(q.offer(datagram(4, 10))).isEqualTo(TunnelQueue.QUEUED_DROPPING_OLDEST);
        assertThat(q.dropped()).isEqualTo(1);
        assertThat(q.offered()).isEqualTo(4);
        ByteBuffer out = q.newFrameBuffer();
        for (int first = 2; first <= 4; first++) {
            assertThat(q.takeInto(out)).isTrue();
            assertThat(out.remaining()).isEqualTo(TunnelFramer.HEADER_BYTES + 10);
            assertThat(out.get(0)).isEqualTo(TunnelFramer.MARKER);
            assertThat(out.getShort(1)).isEqualTo((short) 10);
            assertThat(out.get(TunnelFramer.HEADER_BYTES)).isEqualTo((byte) first);
        }
        assertThat(q.takeInto(out)).isFalse();
        assertThat(q.isEmpty()).isTrue();
    }

    @Test
    void theOfferedDatagramKeepsItsPositionAndAnImpossibleOneIsRefused() {
        TunnelQueue q = new TunnelQueue(2, 100);
        ByteBuffer d = datagram(7, 20);
        d.position(5).limit(15);
        assertThat(q.offer(d)).isEqualTo(TunnelQueue.QUEUED_FIRST);
        assertThat(d.position()).isEqualTo(5);
        assertThat(d.limit()).isEqualTo(15);
        ByteBuffer out = q.newFrameBuffer();
        assertThat(q.takeInto(out)).isTrue();
        assertThat(out.get(TunnelFramer.HEADER_BYTES)).isEqualTo((byte) 12);
        assertThat(q.offer(datagram(0, 101))).isEqualTo(-1);
        assertThat(q.offer(ByteBuffer.allocate(0))).isEqualTo(-1);
        assertThat(q.isEmpty()).isTrue();
    }
}
