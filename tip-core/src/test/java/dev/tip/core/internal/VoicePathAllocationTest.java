package dev.tip.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tip.core.voice.AudioFormat;
import dev.tip.core.voice.VoiceDatagram;
import dev.tip.testing.AllocationMeter;
import java.nio.ByteBuffer;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * The client's TIP/2 voice path allocates nothing per frame once warm: encoding a frame, inserting
 * a received datagram into its speaker's buffer, and mixing a frame for the sink. Measured with the
 * JVM's per-thread allocation counter over several windows of 500 frames: a path that allocated per
 * frame would show in every window, while a one-off allocation of the JVM's own (an OSR compilation
 * or a deoptimisation on a loaded machine swaps the loop's code mid-run, once seen as 80 bytes in a
 * full build) shows in at most one of them.
 */
class VoicePathAllocationTest {
    private static final AudioFormat F = AudioFormat.ORIGINAL;
    private static final int WINDOWS = 5;
    private static final int WINDOW_FRAMES = 500;

    @Test
    void sendingReceivingAndMixingAFrameAllocateNothingInSteadyState() {
        assertThat(AllocationMeter.supported())
                .as("this JVM counts allocated bytes per thread")
                .isTrue();
        long p = F.frameNanos();
        VoiceSender[] senders = {new VoiceSender(F, 1, 0, 0), new VoiceSender(F, 2, 100, 7)};
        Speakers speakers = new Speakers(F, 8, 300_000_000L, (id, speaking) -> {});
        speakers.retain(new int[] {1, 2, 3});
        short[] pcm = new short[F.frameLength()];
        short[] out = new short[F.frameLength()];
        VoiceDatagram d = new VoiceDatagram();
        for (int i = 0; i < pcm.length; i++) {
            pcm[i] = (short) (i * 31);
        }
        int k = 0;
        for (; k < 2000; k++) {
            frame(senders, speakers, d, pcm, out, k, p);
        }
        long overhead = -AllocationMeter.current() + AllocationMeter.current();
        long[] windows = new long[WINDOWS];
        for (int w = 0; w < WINDOWS; w++) {
            long before = AllocationMeter.current();
            for (int end = k + WINDOW_FRAMES; k < end; k++) {
                frame(senders, speakers, d, pcm, out, k, p);
            }
            windows[w] = AllocationMeter.current() - before - overhead;
        }
        assertThat(Arrays.stream(windows).min().orElseThrow())
                .as(
                        "fewest bytes allocated in a window of %d frames of two speakers (windows: %s)",
                        WINDOW_FRAMES, Arrays.toString(windows))
                .isLessThanOrEqualTo(0);
    }

    private static void frame(
            VoiceSender[] senders, Speakers speakers, VoiceDatagram d, short[] pcm, short[] out, int k, long p) {
        for (VoiceSender s : senders) {
            ByteBuffer b = s.encode(pcm);
            d.wrap(b, 0, b.remaining());
            speakers.insert(d, k * p);
        }
        speakers.mixNext(k * p + p / 2, out);
    }
}
