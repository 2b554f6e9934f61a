package dev.tip.server.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** One speaker's frames on the server, without sockets. */
class SpeakerQueueTest {

    private final SpeakerQueue q = new SpeakerQueue(2);

    private static short[] frame(int v) {
        short[] f = new short[2];
        Arrays.fill(f, (short) v);
        return f;
    }

    /** What each of {@code ticks} pulls gives (0 for nothing). */
    private List<Integer> pulls(int ticks) {
        List<Integer> got = new ArrayList<>();
        for (int i = 0; i < ticks; i++) {
            short[] f = q.pull();
            got.add(f == null ? 0 : (int) f[0]);
        }
        return got;
    }

    @Test
    void aSpeakerStartsOnceTwoFramesWaitAndPlaysThemInOrderThenStops() {
        assertThat(q.push(0, frame(1))).isEqualTo(SpeakerQueue.ACCEPTED);
        assertThat(q.push(1, frame(2))).isEqualTo(SpeakerQueue.ACCEPTED);
        q.push(2, frame(3));
        assertThat(pulls(5)).containsExactly(1, 2, 3, 0, 0);
        assertThat(q.playing())
                .as("dry for %d ticks, not more", SpeakerQueue.DRY_TICKS)
                .isTrue();
        assertThat(pulls(1)).containsExactly(0);
        assertThat(q.playing()).isFalse();
    }

    @Test
    void aFrameThatComesATickLateCostsThatTickOnlyNotANewPrefill() {
        q.push(0, frame(1));
        q.push(1, frame(2));
        assertThat(pulls(3)).containsExactly(1, 2, 0);
        q.push(2, frame(3));
        assertThat(pulls(1)).as("played at once").containsExactly(3);
    }

    @Test
    void aSingleFrameStillPlaysAfterWaitingItsPrefill() {
        q.push(0, frame(5));
        assertThat(pulls(4)).containsExactly(0, 5, 0, 0);
    }

    @Test
    void jitterWithinTheQueueDoesNotChopTheSpeaker() {
        // frames arrive in pairs every other tick: the prefill carries the gaps
        List<Integer> got = new ArrayList<>();
        int seq = 0;
        for (int tick = 0; tick < 20; tick++) {
            if (tick % 2 == 0) {
                q.push(seq, frame(++seq));
                q.push(seq, frame(++seq));
            }
            short[] f = q.pull();
            got.add(f == null ? 0 : (int) f[0]);
        }
        assertThat(got.subList(1, got.size())).doesNotContain(0);
    }

    @Test
    void aFullQueueDropsItsOldestFrame() {
        for (int i = 0; i < SpeakerQueue.CAPACITY; i++) {
            assertThat(q.push(i, frame(i + 1))).isEqualTo(SpeakerQueue.ACCEPTED);
        }
        assertThat(q.push(SpeakerQueue.CAPACITY, frame(SpeakerQueue.CAPACITY + 1)))
                .isEqualTo(SpeakerQueue.ACCEPTED_DROPPED_OLDEST);
        assertThat(q.size()).isEqualTo(SpeakerQueue.CAPACITY);
        assertThat(pulls(1)).containsExactly(2);
    }

    @Test
    void aDuplicateOrReorderedFrameIsLateButARestartedSenderIsAccepted() {
        q.push(100, frame(1));
        q.push(102, frame(3));
        assertThat(q.push(101, frame(2))).isEqualTo(SpeakerQueue.LATE);
        assertThat(q.push(102, frame(3))).isEqualTo(SpeakerQueue.LATE);
        assertThat(q.push(0xF000, frame(9))).as("far back: a new sequence").isEqualTo(SpeakerQueue.ACCEPTED);
        assertThat(q.push(0xEFFF, frame(4))).isEqualTo(SpeakerQueue.LATE);
        assertThat(pulls(3)).containsExactly(1, 3, 9);
    }

    @Test
    void sequenceNumbersWrapAround() {
        q.push(0xFFFF, frame(1));
        assertThat(q.push(0, frame(2))).isEqualTo(SpeakerQueue.ACCEPTED);
    }
}
