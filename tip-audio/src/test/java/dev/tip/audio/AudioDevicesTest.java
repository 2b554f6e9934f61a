package dev.tip.audio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tip.core.TipException;
import dev.tip.core.voice.AudioFormat;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Runs on any machine: without devices it checks the clear errors, with devices it checks that
 * they open. Neither branch is skipped; which one ran is visible in the assertions' subjects.
 */
class AudioDevicesTest {

    @Test
    void aMicrophoneOpensOrTheErrorNamesTheAlternatives() throws Exception {
        List<AudioDevice> capture = AudioDevices.capture();
        if (capture.isEmpty()) {
            assertThatThrownBy(() -> MicrophoneSource.open(AudioFormat.ORIGINAL, null))
                    .isInstanceOf(AudioDeviceException.class)
                    .isInstanceOf(TipException.class)
                    .hasMessageContaining("No audio capture device")
                    .hasMessageContaining("wav:FILE")
                    .hasMessageContaining("tone:HZ")
                    .hasMessageContaining("silence");
        } else {
            try (MicrophoneSource mic = MicrophoneSource.open(AudioFormat.ORIGINAL, null)) {
                assertThat(mic.format()).isEqualTo(AudioFormat.ORIGINAL);
                assertThat(mic.isRealTime()).isTrue();
                short[] frame = new short[AudioFormat.ORIGINAL.frameLength()];
                assertThat(mic.read(frame)).isTrue();
            }
        }
    }

    @Test
    void aSpeakerOpensOrTheErrorNamesTheAlternatives() throws Exception {
        List<AudioDevice> playback = AudioDevices.playback();
        if (playback.isEmpty()) {
            assertThatThrownBy(() -> SpeakerSink.open(AudioFormat.ORIGINAL, null))
                    .isInstanceOf(AudioDeviceException.class)
                    .hasMessageContaining("No audio playback device")
                    .hasMessageContaining("wav:FILE")
                    .hasMessageContaining("null");
        } else {
            try (SpeakerSink speaker = SpeakerSink.open(AudioFormat.ORIGINAL, null)) {
                assertThat(speaker.format()).isEqualTo(AudioFormat.ORIGINAL);
                assertThat(speaker.isRealTime()).isTrue();
                speaker.write(new short[AudioFormat.ORIGINAL.frameLength()]);
            }
        }
    }

    @Test
    void aDeviceBufferOutsideTenMillisecondsToOneSecondIsRefusedBeforeAnyDeviceIsTouched() {
        assertThat(SpeakerSink.DEFAULT_BUFFER).isLessThanOrEqualTo(Duration.ofMillis(40));
        assertThatThrownBy(() -> SpeakerSink.open(AudioFormat.ORIGINAL, null, Duration.ofMillis(5)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("buffer");
        assertThatThrownBy(() -> MicrophoneSource.open(AudioFormat.ORIGINAL, null, Duration.ofSeconds(2)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("buffer");
    }

    @Test
    void anUnknownDeviceNameIsAClearErrorEverywhere() {
        assertThatThrownBy(() -> MicrophoneSource.open(AudioFormat.ORIGINAL, "no such device 3f9c"))
                .isInstanceOf(AudioDeviceException.class)
                .hasMessageContaining("wav:FILE");
        assertThatThrownBy(() -> SpeakerSink.open(AudioFormat.ORIGINAL, "no such device 3f9c"))
                .isInstanceOf(AudioDeviceException.class)
                .hasMessageContaining("wav:FILE");
    }

    @Test
    void theListingCoversBothKindsAndSaysWhatToUseWhenOneIsEmpty() {
        String listing = AudioDevices.describe();
        assertThat(listing).contains("Capture devices:").contains("Playback devices:");
        if (AudioDevices.capture().isEmpty()) {
            assertThat(listing).contains("none; use a source of wav:FILE, tone:HZ or silence");
        }
        if (AudioDevices.playback().isEmpty()) {
            assertThat(listing).contains("none; use a sink of wav:FILE or null");
        }
        for (AudioDevice d : AudioDevices.capture()) {
            assertThat(d.capture()).isTrue();
            assertThat(listing).contains(d.name());
        }
    }

    @Test
    void formatSummariesNameBitsChannelsAndRates() {
        javax.sound.sampled.AudioFormat any = new javax.sound.sampled.AudioFormat(
                javax.sound.sampled.AudioFormat.Encoding.PCM_SIGNED,
                javax.sound.sampled.AudioSystem.NOT_SPECIFIED,
                16,
                2,
                4,
                javax.sound.sampled.AudioSystem.NOT_SPECIFIED,
                false);
        javax.sound.sampled.AudioFormat mono48 = new javax.sound.sampled.AudioFormat(48_000, 16, 1, true, false);
        javax.sound.sampled.AudioFormat mono44 = new javax.sound.sampled.AudioFormat(44_100, 16, 1, true, false);
        assertThat(AudioDevices.summarize(List.of(any))).isEqualTo("16-bit signed, 2 ch, any rate");
        assertThat(AudioDevices.summarize(List.of(mono48, mono44))).isEqualTo("16-bit signed, 1 ch, 44100/48000 Hz");
        assertThat(AudioDevices.summarize(List.of())).isEqualTo("no signed PCM formats");
    }
}
