package dev.tip.audio;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tip.core.audio.AudioSink;
import dev.tip.core.audio.AudioSource;
import dev.tip.core.voice.AudioFormat;
import dev.tip.testing.AllocationMeter;
import org.junit.jupiter.api.Test;

/** The conversion path runs once per frame on the voice path, so it must not allocate. */
class SteadyStateAllocationTest {

    private static long allocatedBytes() {
        return AllocationMeter.current();
    }

    @Test
    void convertingFramesAllocatesNothingOnceWarm() throws Exception {
        assertThat(AllocationMeter.supported())
                .as("this JVM counts allocated bytes per thread")
                .isTrue();
        AudioFormat device = new AudioFormat(44_100, 2, 16, 441);
        AudioSource up = ConvertingSource.of(new ToneSource(AudioFormat.ORIGINAL, 440, 0.5), device);
        AudioSink down = ConvertingSink.of(new NullSink(AudioFormat.ORIGINAL), device);
        short[] frame = new short[device.frameLength()];
        for (int i = 0; i < 2_000; i++) { // warm up: buffers reach their final size
            up.read(frame);
            down.write(frame);
        }
        long before = allocatedBytes();
        for (int i = 0; i < 2_000; i++) {
            up.read(frame);
            down.write(frame);
        }
        long allocated = allocatedBytes() - before;
        assertThat(allocated).as("bytes allocated for 2000 frames each way").isLessThan(1_000);
    }
}
