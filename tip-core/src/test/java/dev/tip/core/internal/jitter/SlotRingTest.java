package dev.tip.core.internal.jitter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

class SlotRingTest {
    private static final int SPF = 4;

    private static SlotRing ring() {
        SlotRing r = new SlotRing(16, SPF, SPF);
        r.resetWindow(100, 400);
        return r;
    }

    @Test
    void capacityIsAPowerOfTwoForTwiceTheMaximumDelayPlusSlackAndAtMost16384() {
        assertThat(SlotRing.capacityFor(1_000_000_000L, 25_600_000L)).isEqualTo(128); // 2 * 39 + 16 = 94
        assertThat(SlotRing.capacityFor(480_000_000L, 20_000_000L)).isEqualTo(64); // 2 * 24 + 16 = 64
        assertThat(SlotRing.capacityFor(Long.MAX_VALUE / 4, 1)).isEqualTo(1 << 14);
        assertThat(SlotRing.capacityFor(0, 20_000_000L)).isEqualTo(16);
        assertThatThrownBy(() -> new SlotRing(12, SPF, SPF)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aSlotBelongsToTheSequenceNumberStoredInIt() {
        SlotRing r = ring();
        int slot = r.slotOf(101);
        assertThat(r.slotOf(101 + 16)).isEqualTo(slot);
        r.claim(slot, 101, 404, 7, true);
        assertThat(r.holds(101, SlotRing.EMPTY)).isTrue();
        assertThat(r.holds(101, SlotRing.PRESENT)).isFalse(); // not until the payload is copied
        r.fill(slot, new short[] {1, 2, 3, 4}, 0, 4);
        assertThat(r.holds(101, SlotRing.PRESENT)).isTrue();
        assertThat(r.holds(101 + 16, SlotRing.PRESENT)).isFalse();
        assertThat(r.tsAt(slot)).isEqualTo(404);
        assertThat(r.arrivalAt(slot)).isEqualTo(7);
        assertThat(r.markerAt(slot)).isTrue();
        r.skip(101 + 16);
        assertThat(r.holds(101, SlotRing.PRESENT)).isFalse();
        assertThat(r.holds(101 + 16, SlotRing.SKIPPED)).isTrue();
    }

    @Test
    void payloadsAreLittleEndianAndShortFramesArePaddedWithSilence() {
        SlotRing r = ring();
        int slot = r.slotOf(100);
        r.claim(slot, 100, 400, 0, false);
        r.fill(slot, new short[] {9, 9, 9, 9}, 0, 4);
        r.claim(slot, 100, 400, 0, false);
        r.fill(slot, new byte[] {0, 0x34, 0x12, (byte) 0xFF, (byte) 0xFF}, 1, 4);
        assertThat(r.frameAt(slot)).containsExactly((short) 0x1234, (short) -1, (short) 0, (short) 0);
        ByteBuffer b = ByteBuffer.allocate(8).position(6); // position ignored
        b.put(0, (byte) 0x01).put(1, (byte) 0x80).put(2, (byte) 0x02).put(3, (byte) 0x00);
        r.claim(slot, 100, 400, 0, false);
        r.fill(slot, b, 0, 4);
        assertThat(r.frameAt(slot)).containsExactly((short) 0x8001, (short) 2, (short) 0, (short) 0);
        r.claim(slot, 100, 400, 0, false);
        r.fill(slot, new short[] {5, 6, 7, 8, 9, 10}, 1, 6); // longer than a frame: cut
        assertThat(r.frameAt(slot)).containsExactly((short) 6, (short) 7, (short) 8, (short) 9);
    }

    @Test
    void theFirstPresentFrameIsLookedForUpToTheHighestReceived() {
        SlotRing r = ring();
        store(r, 103);
        assertThat(r.firstPresentFrom(100)).isEqualTo(Long.MIN_VALUE); // 103 is above the highest
        r.setHighest(103, 412);
        assertThat(r.firstPresentFrom(100)).isEqualTo(103);
        assertThat(r.firstPresentFrom(104)).isEqualTo(Long.MIN_VALUE);
    }

    @Test
    void makingRoomDropsThePresentFramesThatNoLongerFitAndMovesTheWindow() {
        SlotRing r = ring();
        store(r, 100);
        store(r, 102);
        store(r, 110);
        assertThat(r.makeRoomFor(115)).isZero();
        assertThat(r.nextSeq()).isEqualTo(100);
        // 118 fits if the window starts at 103: 100 and 102 go
        assertThat(r.makeRoomFor(118)).isEqualTo(2);
        assertThat(r.nextSeq()).isEqualTo(103);
        assertThat(r.nextTs()).isEqualTo(400 + 3 * SPF);
        assertThat(r.holds(100, SlotRing.SKIPPED)).isTrue();
        assertThat(r.holds(110, SlotRing.PRESENT)).isTrue();
    }

    @Test
    void clearingForgetsEverySlotAndTheWindowRestarts() {
        SlotRing r = ring();
        store(r, 100);
        store(r, 101);
        r.clear();
        assertThat(r.holds(100, SlotRing.PRESENT)).isFalse();
        assertThat(r.holds(100, SlotRing.SKIPPED)).isFalse(); // no slot owned
        r.resetWindow(7, 70);
        assertThat(r.nextSeq()).isEqualTo(7);
        assertThat(r.highestSeq()).isEqualTo(7);
        assertThat(r.nextTs()).isEqualTo(70);
        assertThat(r.highestTs()).isEqualTo(70);
        r.advance();
        assertThat(r.nextSeq()).isEqualTo(8);
        assertThat(r.nextTs()).isEqualTo(70 + SPF);
    }

    private static void store(SlotRing r, long seq) {
        int slot = r.slotOf(seq);
        r.claim(slot, seq, 400 + (seq - 100) * SPF, 0, false);
        r.fill(slot, new short[SPF], 0, SPF);
    }
}
