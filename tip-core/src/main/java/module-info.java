/**
 * TIP core: the wire protocol of both dialects, the client session, the audio SPI, the jitter
 * buffer and the mixer. Depends on nothing but jackson-core and slf4j-api.
 */
// "module": the qualified exports name dev.tip.server, which is built after this module
@SuppressWarnings("module")
module dev.tip.core {
    requires com.fasterxml.jackson.core;
    requires org.slf4j;

    exports dev.tip.core;
    // the control protocol's codec is TIP's own plumbing, not an API an application needs: only
    // the server reads it (on the class path it stays reachable, without a promise)
    exports dev.tip.core.protocol to
            dev.tip.server;
    exports dev.tip.core.voice;
    exports dev.tip.core.audio;
    // TIP/2's voice protection, shared with the server; not API
    exports dev.tip.core.internal.crypto to
            dev.tip.server;

    uses dev.tip.core.audio.VoiceCodec;
}
