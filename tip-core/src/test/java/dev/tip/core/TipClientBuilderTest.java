package dev.tip.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tip.core.audio.AudioSink;
import dev.tip.core.audio.AudioSource;
import dev.tip.core.voice.AudioFormat;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class TipClientBuilderTest {

    private static AudioSource sourceOf(AudioFormat format) {
        return new AudioSource() {
            @Override
            public AudioFormat format() {
                return format;
            }

            @Override
            public boolean read(short[] frame) {
                return false;
            }
        };
    }

    private static AudioSink sinkOf(AudioFormat format) {
        return new AudioSink() {
            @Override
            public AudioFormat format() {
                return format;
            }

            @Override
            public void write(short[] samples, int offset, int length) {}
        };
    }

    @Test
    void acceptsTheNicknamesTheOriginalClientAccepts() {
        assertThat(TipClient.builder().server("localhost").nickname("a").build().nickname())
                .isEqualTo("a");
        assertThat(TipClient.builder()
                        .server("localhost")
                        .nickname("x".repeat(19))
                        .build()
                        .nickname())
                .hasSize(19);
        String accented = "Zo" + (char) 0xe9 + " a}{b";
        assertThat(TipClient.builder()
                        .server("localhost")
                        .nickname(accented)
                        .build()
                        .nickname())
                .isEqualTo(accented);
        // 19 characters beyond the BMP are 38 chars of UTF-16, and still 19 characters
        String emoji = new String(Character.toChars(0x1F600)).repeat(19);
        assertThat(TipClient.builder()
                        .server("localhost")
                        .nickname(emoji)
                        .build()
                        .nickname())
                .isEqualTo(emoji);
    }

    @Test
    void rejectsAnEmptyALongOrAControlCharacterNicknameNamingTheParameter() {
        assertThatThrownBy(() -> TipClient.builder().nickname(""))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("nickname")
                .hasMessageContaining("empty");
        assertThatThrownBy(() -> TipClient.builder().nickname("x".repeat(20)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("nickname")
                .hasMessageContaining("shorter than 20");
        assertThatThrownBy(() -> TipClient.builder().nickname("tab\there"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("nickname")
                .hasMessageContaining("U+0009");
        assertThatThrownBy(() -> TipClient.builder().nickname("del" + (char) 0x7f))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("control");
        assertThatThrownBy(() -> TipClient.builder().nickname(null))
                .isInstanceOf(NullPointerException.class)
                .hasMessageContaining("nickname");
    }

    @Test
    void rejectsABadServerOrTimeoutNamingTheParameter() {
        assertThatThrownBy(() -> TipClient.builder().server("h", 0)).hasMessageContaining("port");
        assertThatThrownBy(() -> TipClient.builder().server("h", 65_536)).hasMessageContaining("port");
        assertThatThrownBy(() -> TipClient.builder().server(" ", 1)).hasMessageContaining("host");
        assertThatThrownBy(() -> TipClient.builder().connectTimeout(Duration.ZERO))
                .hasMessageContaining("connectTimeout");
        assertThatThrownBy(() -> TipClient.builder().handshakeTimeout(Duration.ofMillis(-1)))
                .hasMessageContaining("handshakeTimeout");
        assertThatThrownBy(() -> TipClient.builder().maxPlayoutFrames(0)).hasMessageContaining("maxPlayoutFrames");
        assertThatThrownBy(() -> TipClient.builder().nickname("a").build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("server");
        assertThatThrownBy(() -> TipClient.builder().server("h").build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("nickname");
    }

    @Test
    void failsFastWhenTheSourceOrSinkIsNotInTheRoomFormatAndSaysWhoConverts() {
        AudioFormat cd = new AudioFormat(44_100, 2, 16, 441);
        assertThatThrownBy(() -> TipClient.builder().audioSource(sourceOf(cd)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("audioSource")
                .hasMessageContaining("44100")
                .hasMessageContaining("tip-audio");
        assertThatThrownBy(() -> TipClient.builder().audioSink(sinkOf(AudioFormat.ORIGINAL.withRate(20_000, 256))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("audioSink");
        assertThat(TipClient.builder()
                        .audioSource(sourceOf(AudioFormat.ORIGINAL))
                        .audioSink(sinkOf(AudioFormat.ORIGINAL))
                        .server("h")
                        .nickname("n")
                        .build()
                        .state())
                .isEqualTo(SessionState.DISCONNECTED);
    }

    @Test
    void aNewClientIsDisconnectedWithNothingKnownYet() {
        TipClient client =
                TipClient.builder().server("localhost").nickname("ann").build();
        try {
            assertThat(client.state()).isEqualTo(SessionState.DISCONNECTED);
            assertThat(client.roster()).isEmpty();
            assertThat(client.sessionId()).isEmpty();
            assertThat(client.dialect()).isEmpty();
            assertThat(client.failureReason()).isEmpty();
            assertThat(client.isMuted()).isFalse();
            assertThat(client.statistics())
                    .isEqualTo(new ClientStatistics(
                            0, 0, 0, 0, 0, 0, -1, -1, 0, 0, 0, "pcm", 0, -1, VoiceTransport.UDP, 0, 0, 0, 0, 0));
        } finally {
            client.close();
        }
    }
}
