/**
 * TIP audio: Java Sound capture and playback, WAV files, tones, sample-rate conversion and codecs,
 * all as implementations of tip-core's audio SPI.
 */
module dev.tip.audio {
    requires transitive dev.tip.core;
    requires transitive java.desktop;
    requires org.slf4j;
    // Concentus has no module descriptor: an automatic module named after its jar
    requires concentus;

    exports dev.tip.audio;
}
