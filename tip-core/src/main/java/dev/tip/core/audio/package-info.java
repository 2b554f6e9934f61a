/**
 * The audio SPI ({@code AudioSource}, {@code AudioSink}) and the receive-side pipeline: jitter
 * buffer, loss concealment and mixer.
 */
package dev.tip.core.audio;
