/**
 * TIP audio: Java Sound capture and playback, WAV files, tones, sample-rate conversion and codecs,
 * all as implementations of tip-core's audio SPI.
 */
module dev.tip.audio {
    requires transitive dev.tip.core;
    requires transitive java.desktop;
    requires org.slf4j;
    // Concentus (the Opus codec) is not required: the build copies it into this jar, relocated to
    // the package dev.tip.audio.internal.concentus, which is not exported (see the pom)

    exports dev.tip.audio;

    provides dev.tip.core.audio.VoiceCodec with
            dev.tip.audio.OpusCodec;
}
