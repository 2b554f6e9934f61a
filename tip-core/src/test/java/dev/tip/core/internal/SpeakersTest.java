package dev.tip.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tip.core.audio.JitterBuffer;
import dev.tip.core.voice.AudioFormat;
import dev.tip.core.voice.PayloadType;
import dev.tip.core.voice.VoiceDatagram;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The receive side on virtual time: per-speaker buffers, the mix, speaking, the roster bound. */
class SpeakersTest {
    private static final AudioFormat F = AudioFormat.ORIGINAL;
    private static final long P = F.frameNanos();
    private static final long HOLD = 300_000_000L;

    private final List<String> events = new ArrayList<>();
    private final ByteBuffer wire = ByteBuffer.allocate(VoiceDatagram.HEADER_LENGTH + F.frameBytes());
    private final VoiceDatagram d = new VoiceDatagram();

    private Speakers speakers(int max) {
        return new Speakers(F, max, HOLD, (id, speaking) -> events.add(id + (speaking ? " on" : " off")));
    }

    /** A datagram of a frame whose every sample is {@code value}. */
    private VoiceDatagram datagram(int sender, int seq, boolean marker, short value) {
        d.wrap(wire, 0, wire.capacity()).writeHeader(marker, PayloadType.PCM, sender, seq, 512L * seq);
        for (int i = 0; i < F.frameLength(); i++) {
            wire.put(VoiceDatagram.HEADER_LENGTH + 2 * i, (byte) value);
            wire.put(VoiceDatagram.HEADER_LENGTH + 2 * i + 1, (byte) (value >> 8));
        }
        assertThat(d.check()).isEqualTo(VoiceDatagram.OK);
        return d;
    }

    private static boolean all(short[] frame, int value) {
        for (short s : frame) {
            if (s != value) {
                return false;
            }
        }
        return true;
    }

    @Test
    void twoSpeakersAreMixedWithSaturationAndEachStartsAndStopsSpeaking() {
        Speakers s = speakers(8);
        short[] out = new short[F.frameLength()];
        int saturated = 0;
        int sums = 0;
        for (int k = 0; k < 60; k++) {
            assertThat(s.insert(datagram(1, k, k == 0, (short) 20_000), k * P)).isEqualTo(JitterBuffer.INSERTED);
            assertThat(s.insert(datagram(2, k, k == 0, (short) (k < 30 ? 20_000 : 1_000)), k * P))
                    .isEqualTo(JitterBuffer.INSERTED);
            int n = s.mixNext(k * P + P / 2, out);
            if (n == 2 && all(out, Short.MAX_VALUE)) {
                saturated++;
            }
            if (n == 2 && all(out, 21_000)) {
                sums++;
            }
        }
        assertThat(s.size()).isEqualTo(2);
        assertThat(saturated).as("20000 + 20000 clips at 32767").isGreaterThanOrEqualTo(20);
        assertThat(sums).as("20000 + 1000 is summed").isGreaterThanOrEqualTo(20);
        assertThat(events).containsExactlyInAnyOrder("1 on", "2 on");
        for (int k = 60; k < 80; k++) {
            s.mixNext(k * P + P / 2, out);
        }
        assertThat(events).containsExactlyInAnyOrder("1 on", "2 on", "1 off", "2 off");
        assertThat(all(out, 0)).as("silence once both stopped").isTrue();
    }

    @Test
    void onlyRosterIdsGetABufferAndALeaverWhoSpokeIsToldToHaveStopped() {
        Speakers s = speakers(8);
        s.retain(new int[] {4, 1});
        short[] out = new short[F.frameLength()];
        assertThat(s.insert(datagram(7, 0, true, (short) 5), 0)).isEqualTo(Speakers.UNKNOWN_SENDER);
        for (int k = 0; k < 10; k++) {
            s.insert(datagram(4, k, k == 0, (short) 5), k * P);
            s.mixNext(k * P + P / 2, out);
        }
        assertThat(events).containsExactly("4 on");
        s.retain(new int[] {1});
        assertThat(events).containsExactly("4 on", "4 off");
        assertThat(s.size()).isZero();
        assertThat(s.insert(datagram(4, 10, false, (short) 5), 10 * P)).isEqualTo(Speakers.UNKNOWN_SENDER);
        s.mixNext(10 * P + P / 2, out);
        assertThat(events).as("no event for a buffer that is gone").hasSize(2);
    }

    @Test
    void withoutARosterTheNumberOfBuffersIsBounded() {
        Speakers s = speakers(2);
        assertThat(s.insert(datagram(1, 0, true, (short) 5), 0)).isEqualTo(JitterBuffer.INSERTED);
        assertThat(s.insert(datagram(2, 0, true, (short) 5), 0)).isEqualTo(JitterBuffer.INSERTED);
        assertThat(s.insert(datagram(3, 0, true, (short) 5), 0)).isEqualTo(Speakers.UNKNOWN_SENDER);
        assertThat(s.size()).isEqualTo(2);
    }

    /** A codec packet of {@code sender}: its frame's value, the previous one's as FEC. */
    private VoiceDatagram codecDatagram(int sender, int seq, boolean marker, int value) {
        byte[] payload = new byte[4];
        FecTestCodec.packet((short) value, (short) (value - 1), payload, 0);
        d.wrap(wire, 0, VoiceDatagram.HEADER_LENGTH + 4).writeHeader(marker, PayloadType.OPUS, sender, seq, 960L * seq);
        wire.put(VoiceDatagram.HEADER_LENGTH, payload);
        assertThat(d.check()).isEqualTo(VoiceDatagram.OK);
        return d;
    }

    @Test
    void onceLossIsReportedASingleLostCodecPacketIsRebuiltFromTheNextOnesFec() {
        Speakers s = new Speakers(F, 8, HOLD, (id, speaking) -> {}, List.of(new FecTestCodec()));
        long p = 20_000_000L; // 20 ms packets
        // 2: lost before any report, left to the jitter buffer (no FEC is expected in the stream yet);
        // 15 and 20 alone, rebuilt; 25 and 26 in a row, left to the jitter buffer's concealment
        java.util.Set<Integer> lost = java.util.Set.of(2, 15, 20, 25, 26);
        java.util.List<Integer> heard = new ArrayList<>();
        short[] out = new short[400];
        int last = Integer.MIN_VALUE;
        for (int k = 0; k < 50; k++) {
            if (!lost.contains(k)) {
                assertThat(s.insert(codecDatagram(1, k, k == 0, 100 + k), k * p))
                        .isEqualTo(JitterBuffer.INSERTED);
            }
            if (k == 10) {
                // 1 of the first 11 numbers never came
                assertThat(s.lossPercent()).isEqualTo(10);
                assertThat(s.rebuilt()).isZero();
                s.rebuildLost(true); // what the loss feedback does once it reports loss
            }
            s.mixNext(k * p + p / 2, out, out.length);
            if (out[0] != last) {
                heard.add((int) out[0]);
                last = out[0];
            }
        }
        assertThat(heard).as("2 was concealed by the buffer").doesNotContain(102);
        assertThat(heard).as("15 and 20 from the FEC of 16 and 21").containsSubsequence(114, 115, 116, 119, 120, 121);
        assertThat(heard).as("neither the codec nor its FEC for a gap of two").doesNotContain(125, 126, 7);
        assertThat(heard).contains(124, 130);
        assertThat(s.rebuilt()).isEqualTo(2);
        assertThat(s.lossPercent())
                .as("4 lost, 35 came since the last report: 4/39")
                .isEqualTo(11);
        assertThat(s.lossPercent()).as("nothing new since").isZero();
    }

    @Test
    void lossesAreConcealedAndCountedAndTheCountsOutliveTheSpeaker() {
        Speakers s = speakers(8);
        short[] out = new short[F.frameLength()];
        for (int k = 0; k < 40; k++) {
            if (k % 10 != 5) {
                s.insert(datagram(1, k, k == 0, (short) 3000), k * P);
            }
            s.mixNext(k * P + P / 2, out);
        }
        long[] t = s.totals();
        assertThat(t[3])
                .as("the current delay of the one speaker")
                .isEqualTo(s.stats(1).currentDelayNanos());
        assertThat(t[3]).isPositive();
        assertThat(t[1]).as("missing").isGreaterThanOrEqualTo(3);
        assertThat(t[2]).as("concealed").isGreaterThanOrEqualTo(3);
        assertThat(s.stats(1).missing()).isEqualTo(t[1]);
        s.retain(new int[0]);
        assertThat(s.totals()).as("counts kept, no delay without speakers").containsExactly(t[0], t[1], t[2], -1);
        assertThat(s.stats(1)).isNull();
    }

    @Test
    void aSpeakersVolumeScalesItInTheMixAndHoldsForASpeakerNotHeardYet() {
        Speakers s = speakers(8);
        s.setVolume(2, 0.5f);
        assertThat(s.volume(2)).isEqualTo(0.5f);
        assertThat(s.volume(1)).isEqualTo(1.0f);
        short[] out = new short[F.frameLength()];
        int loudest = 0;
        for (int k = 0; k < 20; k++) {
            s.insert(datagram(2, k, k == 0, (short) 4000), k * P);
            s.mixNext(k * P + P / 2, out);
            for (short v : out) {
                loudest = Math.max(loudest, Math.abs(v));
            }
        }
        assertThat(loudest).as("a 4000 frame at half volume").isBetween(1900, 2100);
        s.setVolume(2, 0f);
        for (int k = 20; k < 25; k++) {
            s.insert(datagram(2, k, false, (short) 4000), k * P);
            s.mixNext(k * P + P / 2, out);
        }
        assertThat(out).containsOnly((short) 0);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> s.setVolume(2, 5f))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("0..4");
    }
}
