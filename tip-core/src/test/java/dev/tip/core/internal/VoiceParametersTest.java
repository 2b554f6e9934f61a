package dev.tip.core.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tip.core.protocol.Extensions;
import dev.tip.core.voice.AudioFormat;
import org.junit.jupiter.api.Test;

class VoiceParametersTest {

    @Test
    void readsTheTokenAndTheRoomFormatOfTheProtocolExample() {
        Extensions e = Extensions.builder()
                .put("VERSION", 2)
                .put("TOKEN", "5f1c0a9e33d2b871")
                .put("RATE", 20000)
                .put("FRAME", 512)
                .build();
        VoiceParameters p = VoiceParameters.fromSession(e);
        assertThat(p.token()).isEqualTo(0x5f1c0a9e33d2b871L);
        assertThat(p.format()).isEqualTo(AudioFormat.ORIGINAL);
    }

    @Test
    void aTokenWithTheHighBitSetAndUpperCaseDigitsIsRead() {
        assertThat(VoiceParameters.parseToken("FFFFFFFFFFFFFFFE")).isEqualTo(-2L);
    }

    @Test
    void theFormatDefaultsToTheOriginalWhenRateAndFrameAreAbsent() {
        VoiceParameters p = VoiceParameters.fromSession(
                Extensions.builder().put("TOKEN", "0000000000000001").build());
        assertThat(p.format()).isEqualTo(AudioFormat.ORIGINAL);
        assertThat(p.token()).isEqualTo(1);
    }

    @Test
    void aMissingOrMalformedFieldIsNamed() {
        assertThatThrownBy(() -> VoiceParameters.fromSession(Extensions.NONE)).hasMessageContaining("TOKEN");
        assertThatThrownBy(() -> VoiceParameters.parseToken("5f1c0a9e33d2b87g")).hasMessageContaining("TOKEN");
        assertThatThrownBy(() -> VoiceParameters.parseToken("5f1c")).hasMessageContaining("16 hex digits");
        assertThatThrownBy(() -> VoiceParameters.fromSession(Extensions.builder()
                        .put("TOKEN", "0000000000000001")
                        .put("RATE", "fast")
                        .build()))
                .hasMessageContaining("RATE");
        assertThatThrownBy(() -> VoiceParameters.fromSession(Extensions.builder()
                        .put("TOKEN", "0000000000000001")
                        .put("FRAME", 0)
                        .build()))
                .hasMessageContaining("FRAME");
        assertThatThrownBy(() -> VoiceParameters.fromSession(Extensions.builder()
                        .put("TOKEN", "0000000000000001")
                        .put("RATE", 1000)
                        .build()))
                .hasMessageContaining("RATE/FRAME");
    }
}
