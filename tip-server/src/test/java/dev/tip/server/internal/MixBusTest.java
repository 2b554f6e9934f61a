package dev.tip.server.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

/** The room sum and what each listener hears from it, without sockets. */
class MixBusTest {

    private static short[] constant(int n, int value) {
        short[] f = new short[n];
        Arrays.fill(f, (short) value);
        return f;
    }

    private static short[] samples(ByteBuffer b) {
        short[] s = new short[b.remaining() / 2];
        b.duplicate().order(ByteOrder.LITTLE_ENDIAN).asShortBuffer().get(s);
        return s;
    }

    @Property
    void theMixOfOneSpeakerIsThatSpeakersSamplesExactly(@ForAll @Size(8) short[] frame) {
        MixBus bus = new MixBus(8);
        bus.clear();
        bus.add(frame);
        assertThat(samples(bus.all())).containsExactly(frame);
    }

    @Property
    void eachListenerHearsTheClippedSumOfTheOthers(
            @ForAll @Size(4) short[] a, @ForAll @Size(4) short[] b, @ForAll @Size(4) short[] c) {
        MixBus bus = new MixBus(4);
        bus.clear();
        bus.add(a);
        bus.add(b);
        bus.add(c);
        short[] withoutA = samples(bus.without(a));
        short[] all = samples(bus.all());
        short[] withoutC = samples(bus.without(c));
        for (int i = 0; i < 4; i++) {
            assertThat(withoutA[i]).isEqualTo(MixBus.clip(b[i] + c[i]));
            assertThat(withoutC[i]).isEqualTo(MixBus.clip(a[i] + b[i]));
            assertThat(all[i]).isEqualTo(MixBus.clip(a[i] + b[i] + c[i]));
        }
    }

    @Test
    void clippingHappensAfterTheOwnVoiceIsTakenOutNotBefore() {
        MixBus bus = new MixBus(2);
        bus.clear();
        short[] loud = constant(2, 30000);
        short[] alsoLoud = constant(2, 30000);
        short[] negative = constant(2, -30000);
        bus.add(loud);
        bus.add(alsoLoud);
        bus.add(negative);
        // a saturating room sum would be 32767 - 30000 = 2767 here, not 30000 + 30000 = clipped
        assertThat(samples(bus.without(negative))).containsExactly((short) 32767, (short) 32767);
        assertThat(samples(bus.without(loud))).containsExactly((short) 0, (short) 0);
        assertThat(samples(bus.all())).containsExactly((short) 30000, (short) 30000);
    }

    @Test
    void aNewFrameStartsFromSilence() {
        MixBus bus = new MixBus(2);
        bus.clear();
        bus.add(constant(2, 100));
        bus.all();
        bus.clear();
        bus.add(constant(2, 7));
        assertThat(bus.speakers()).isEqualTo(1);
        assertThat(samples(bus.all())).containsExactly((short) 7, (short) 7);
    }

    @Test
    void aFrameLengthThatIsNotPositiveIsRefusedByName() {
        assertThatThrownBy(() -> new MixBus(0)).hasMessageContaining("frameLength");
    }
}
