package dev.tip.core.internal.crypto;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class ReplayWindowTest {

    private static int take(ReplayWindow w, long n) {
        int r = w.check(n);
        if (r == ReplayWindow.NEW) {
            w.accept(n);
        }
        return r;
    }

    @Test
    void inOrderAndReorderedPacketsAreTakenOnceAndReplaysNever() {
        ReplayWindow w = new ReplayWindow();
        assertThat(take(w, 0)).isEqualTo(ReplayWindow.NEW);
        assertThat(take(w, 2)).isEqualTo(ReplayWindow.NEW);
        assertThat(take(w, 1)).isEqualTo(ReplayWindow.NEW); // late, within the window
        assertThat(take(w, 1)).isEqualTo(ReplayWindow.REPLAYED);
        assertThat(take(w, 2)).isEqualTo(ReplayWindow.REPLAYED);
        assertThat(take(w, 1000)).isEqualTo(ReplayWindow.NEW);
        assertThat(take(w, 1000 - 255)).isEqualTo(ReplayWindow.NEW);
        assertThat(take(w, 1000 - 256)).isEqualTo(ReplayWindow.TOO_OLD);
        assertThat(take(w, 3)).isEqualTo(ReplayWindow.TOO_OLD);
        assertThat(take(w, -1)).isEqualTo(ReplayWindow.TOO_OLD);
        assertThat(w.highest()).isEqualTo(1000);
    }

    @Test
    void aCheckThatIsNotFollowedByAcceptRecordsNothing() {
        ReplayWindow w = new ReplayWindow();
        take(w, 10);
        assertThat(w.check(11)).isEqualTo(ReplayWindow.NEW); // say, it then failed to authenticate
        assertThat(w.check(11)).isEqualTo(ReplayWindow.NEW);
        assertThat(w.highest()).isEqualTo(10);
    }

    @Test
    void slotsReusedAfterTheWindowMovesDoNotRememberOldNumbers() {
        ReplayWindow w = new ReplayWindow();
        for (long n = 0; n < 300; n += 2) {
            take(w, n);
        }
        // odd numbers within the window were never seen, even though their slots held even ones
        for (long n = 299 - 2 * 100; n < 298; n += 2) {
            assertThat(take(w, n)).as("n=%d", n).isEqualTo(ReplayWindow.NEW);
        }
    }

    @Property(tries = 200)
    void everyPacketIsTakenExactlyOnceWhateverTheReorderingAndDuplication(
            @ForAll @IntRange(min = 1, max = 2000) int count, @ForAll long seed) {
        Random random = new Random(seed);
        List<Long> arrivals = new ArrayList<>();
        for (long n = 0; n < count; n++) {
            arrivals.add(n);
            if (random.nextInt(4) == 0) {
                arrivals.add(n); // a duplicate (or a replay)
            }
        }
        // reorder within blocks of 64: always inside the 256-packet window
        for (int start = 0; start < arrivals.size(); start += 64) {
            Collections.shuffle(arrivals.subList(start, Math.min(arrivals.size(), start + 64)), random);
        }
        ReplayWindow w = new ReplayWindow();
        Set<Long> taken = new HashSet<>();
        for (long n : arrivals) {
            if (take(w, n) == ReplayWindow.NEW) {
                assertThat(taken.add(n)).as("taken twice: %d", n).isTrue();
            }
        }
        assertThat(taken).hasSize(count);
    }
}
