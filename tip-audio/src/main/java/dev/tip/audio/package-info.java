/**
 * Implementations of the audio SPI: devices through Java Sound ({@link dev.tip.audio.MicrophoneSource},
 * {@link dev.tip.audio.SpeakerSink}, {@link dev.tip.audio.AudioDevices}), WAV files
 * ({@link dev.tip.audio.WavFileSource}, {@link dev.tip.audio.WavFileSink}), tones and silence,
 * format conversion ({@link dev.tip.audio.ConvertingSource}, {@link dev.tip.audio.ConvertingSink}),
 * and the Opus codec ({@link dev.tip.audio.OpusCodec}, {@link dev.tip.audio.OpusFrameEncoder},
 * {@link dev.tip.audio.OpusFrameDecoder}).
 */
package dev.tip.audio;
