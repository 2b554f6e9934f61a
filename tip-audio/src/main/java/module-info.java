/**
 * TIP audio: Java Sound capture and playback, WAV files, tones, sample-rate conversion and codecs,
 * all as implementations of tip-core's audio SPI.
 */
module dev.tip.audio {
    requires transitive dev.tip.core;
    requires transitive java.desktop;
    requires org.slf4j;

    exports dev.tip.audio;
}
