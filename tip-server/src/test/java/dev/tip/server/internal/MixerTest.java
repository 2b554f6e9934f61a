package dev.tip.server.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tip.core.voice.PayloadType;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The original listeners' mix and its pacing, driven by hand: no sockets, no threads, no sleeps. */
class MixerTest {

    private static final long P = Mixer.PERIOD_NANOS;

    private final Counters counters = new Counters();
    private final List<Integer> sentTo = new ArrayList<>();
    private final MemberTable table = new MemberTable(8, new MemberTable.Bindings() {
        @Override
        public void bound(Member m) {}

        @Override
        public void unbound(Member m) {}
    });
    private final Mixer mixer = new Mixer(table, counters, new Routing.Output() {
        @Override
        public int send(Member to, ByteBuffer datagram) {
            sentTo.add(to.id);
            return datagram.remaining();
        }

        @Override
        public void learned(Member m) {}

        @Override
        public void catchUp() {}
    });
    private final ByteBuffer frame = ByteBuffer.allocate(Mixer.FRAME_BYTES).order(ByteOrder.LITTLE_ENDIAN);

    private Member original(int id) {
        Member m = Member.original(id, new InetSocketAddress("127.0.0.1", 5000 + id));
        table.add(m);
        return m;
    }

    private Member tip2(int id) {
        Member m = Member.tip2(id, id);
        table.add(m);
        table.bind(m, new InetSocketAddress("127.0.0.1", 6000 + id));
        return m;
    }

    private boolean offer(Member speaker, int sequence) {
        return mixer.offer(speaker, PayloadType.PCM, frame, 0, Mixer.FRAME_BYTES, sequence);
    }

    @Test
    void aFrameIsOneOriginal512SampleFrameEvery25point6Milliseconds() {
        assertThat(Mixer.PERIOD_NANOS).isEqualTo(25_600_000L);
        assertThat(Mixer.FRAME_BYTES).isEqualTo(1024);
    }

    @Test
    void twoJitteryFastAndSlowSpeakersGiveTheListenerExactlyOneFramePerPeriod() {
        original(0);
        Member ann = tip2(1);
        Member bob = tip2(2);
        long now = 0;
        int annSeq = 0;
        int bobSeq = 0;
        // ann sends in pairs every other period, bob one per period: 400 periods
        offer(ann, annSeq++);
        offer(bob, bobSeq++);
        assertThat(mixer.tick(now)).isEqualTo(P);
        for (int i = 0; i < 400; i++) {
            if (i % 2 == 0) {
                offer(ann, annSeq++);
                offer(ann, annSeq++);
            }
            offer(bob, bobSeq++);
            now += P;
            mixer.tick(now);
        }
        assertThat(sentTo)
                .as("one frame per period, to the original listener only")
                .hasSize(400);
        assertThat(sentTo).containsOnly(0);
        assertThat(counters.mixedFramesSent.get()).isEqualTo(400);
        assertThat(counters.mixFramesDroppedOverflow.get() + counters.mixFramesDroppedLate.get())
                .isZero();
    }

    @Test
    void whenNobodyTalksNothingIsSentAndNoTickIsAskedFor() {
        original(0);
        Member ann = tip2(1);
        assertThat(mixer.tick(0)).isNegative();
        offer(ann, 0);
        offer(ann, 1);
        long now = 0;
        long wait = mixer.tick(now);
        while (wait >= 0) {
            now += wait;
            wait = mixer.tick(now);
        }
        assertThat(sentTo).hasSize(2);
        assertThat(mixer.tick(now + 100 * P)).isNegative();
        assertThat(sentTo).hasSize(2);
    }

    @Test
    void aStalledLoopSkipsAheadInsteadOfBurstingTheBacklog() {
        original(0);
        Member ann = tip2(1);
        for (int i = 0; i < SpeakerQueue.CAPACITY; i++) {
            offer(ann, i);
        }
        mixer.tick(0);
        long wait = mixer.tick(100 * P);
        assertThat(sentTo).as("one frame, not a hundred").hasSize(1);
        assertThat(wait).isEqualTo(P);
    }

    @Test
    void aFasterSpeakerOverflowsItsQueueAndTheDropIsCounted() {
        original(0);
        Member ann = tip2(1);
        for (int i = 0; i < SpeakerQueue.CAPACITY + 3; i++) {
            offer(ann, i);
        }
        assertThat(counters.mixFramesDroppedOverflow.get()).isEqualTo(3);
        offer(ann, 2);
        assertThat(counters.mixFramesDroppedLate.get()).isEqualTo(1);
    }

    @Test
    void aFrameThatIsNotOneWholePcmFrameOrHasNoDecoderIsNotMixed() {
        original(0);
        Member ann = tip2(1);
        assertThat(mixer.offer(ann, PayloadType.PCM, frame, 0, 1000, 0)).isFalse();
        assertThat(mixer.offer(ann, PayloadType.OPUS, frame, 0, 60, 0))
                .as("no Opus decoder plugged in yet")
                .isFalse();
        ann.decoder = (buf, offset, length, sequence, out) -> true;
        assertThat(mixer.offer(ann, PayloadType.OPUS, frame, 0, 60, 0))
                .as("a speaker's own decoder plugs in")
                .isTrue();
    }
}
