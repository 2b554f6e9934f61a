/**
 * TIP core: the wire protocol of both dialects, the client session, the audio SPI, the jitter
 * buffer and the mixer. Depends on nothing but jackson-core and slf4j-api.
 */
module dev.tip.core {
    requires com.fasterxml.jackson.core;
    requires org.slf4j;

    exports dev.tip.core;
    exports dev.tip.core.protocol;
    exports dev.tip.core.voice;
    exports dev.tip.core.audio;

    uses dev.tip.core.audio.VoiceCodec;
}
