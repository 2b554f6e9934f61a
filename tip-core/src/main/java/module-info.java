/**
 * TIP core: the wire protocol of both dialects, the client session, the audio SPI, the jitter
 * buffer and the mixer. Depends on nothing but jackson-core and slf4j-api.
 */
// "module": the qualified export names dev.tip.server, which is not on tip-core's module path
@SuppressWarnings("module")
module dev.tip.core {
    requires com.fasterxml.jackson.core;
    requires org.slf4j;

    exports dev.tip.core;
    exports dev.tip.core.protocol;
    exports dev.tip.core.voice;
    exports dev.tip.core.audio;
    // TIP/2's voice protection, shared with the server; not API
    exports dev.tip.core.internal.crypto to
            dev.tip.server;

    uses dev.tip.core.audio.VoiceCodec;
}
