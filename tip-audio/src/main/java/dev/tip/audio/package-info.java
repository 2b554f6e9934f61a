/**
 * Implementations of the audio SPI: devices through Java Sound, WAV files, tones and silence.
 */
package dev.tip.audio;
