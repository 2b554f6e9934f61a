package dev.tip.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tip.core.voice.AudioFormat;
import dev.tip.core.voice.VoiceDatagram;
import java.lang.reflect.Method;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

/**
 * The client's TIP/2 voice path allocates nothing per frame once warm: encoding a frame, inserting
 * a received datagram into its speaker's buffer, and mixing a frame for the sink. Measured with the
 * JVM's per-thread allocation counter on this thread (through reflection: tip-core's module does
 * not read java.management, and the tests compile inside it).
 */
class VoicePathAllocationTest {
    private static final AudioFormat F = AudioFormat.ORIGINAL;

    private Object threads;
    private Method allocatedBytes;

    private long allocated() throws Exception {
        return (Long) allocatedBytes.invoke(threads);
    }

    @Test
    void sendingReceivingAndMixingAFrameAllocateNothingInSteadyState() throws Exception {
        threads = Class.forName("java.lang.management.ManagementFactory")
                .getMethod("getThreadMXBean")
                .invoke(null);
        allocatedBytes = Class.forName("com.sun.management.ThreadMXBean").getMethod("getCurrentThreadAllocatedBytes");
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
        long before = 0;
        long overhead = 0;
        for (int k = 0; k < 3000; k++) {
            if (k == 2000) {
                long first = allocated();
                before = allocated();
                overhead = before - first; // what reading the counter costs (a boxed Long)
            }
            for (VoiceSender s : senders) {
                ByteBuffer b = s.encode(pcm);
                d.wrap(b, 0, b.remaining());
                speakers.insert(d, k * p);
            }
            speakers.mixNext(k * p + p / 2, out);
        }
        long bytes = allocated() - before - overhead;
        assertThat(bytes).as("bytes allocated over 1000 frames of two speakers").isZero();
    }
}
