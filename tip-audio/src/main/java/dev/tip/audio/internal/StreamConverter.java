package dev.tip.audio.internal;

import dev.tip.core.voice.AudioFormat;

/**
 * Converts an interleaved PCM stream from one rate and channel count to another and queues the
 * result in a {@link SampleFifo}, from which frames of the target size are taken. Channels are
 * converted before resampling when reducing them (less work) and after when adding them.
 * Confined to one thread; allocates nothing per chunk once the largest chunk has been seen.
 */
public final class StreamConverter {
    private final int fromRate;
    private final int fromChannels;
    private final int toChannels;
    private final int resampleChannels;
    private final Resampler resampler;
    private final SampleFifo fifo;
    private short[] mixed = new short[0];
    private short[] resampled = new short[0];
    private short[] widened = new short[0];

    /**
     * Creates a converter between two stream shapes (frame sizes do not matter here).
     *
     * @param from the input's rate and channels
     * @param to the output's rate and channels
     */
    public StreamConverter(AudioFormat from, AudioFormat to) {
        this.fromRate = from.sampleRate();
        this.fromChannels = from.channels();
        this.toChannels = to.channels();
        this.resampleChannels = Math.min(fromChannels, toChannels);
        this.resampler = new Resampler(from.sampleRate(), to.sampleRate(), resampleChannels);
        this.fifo = new SampleFifo(Math.max(to.frameLength(), 1) * 4 + 1024);
    }

    /**
     * Returns the FIFO holding converted samples (interleaved in the target channel count).
     *
     * @return the output queue
     */
    public SampleFifo output() {
        return fifo;
    }

    /**
     * Returns the input rate.
     *
     * @return input sample rate in Hz
     */
    public int fromRate() {
        return fromRate;
    }

    /**
     * Converts {@code frames} interleaved input frames and queues the result.
     *
     * @param in input samples in the source channel count
     * @param offset first sample
     * @param frames frames to convert
     */
    public void push(short[] in, int offset, int frames) {
        short[] src = in;
        int srcOffset = offset;
        if (fromChannels != resampleChannels) {
            mixed = ensure(mixed, frames * resampleChannels);
            downmix(in, offset, frames, fromChannels, mixed);
            src = mixed;
            srcOffset = 0;
        }
        resampled = ensure(resampled, resampler.maxOutputFrames(frames) * resampleChannels);
        int produced = resampler.push(src, srcOffset, frames, resampled, 0);
        emit(produced);
    }

    /** Flushes the resampler's tail into the FIFO at the end of the stream, then resets it. */
    public void drain() {
        resampled = ensure(resampled, resampler.maxOutputFrames(resampler.lookahead() + 1) * resampleChannels);
        emit(resampler.drain(resampled, 0));
        resampler.reset();
    }

    private void emit(int frames) {
        if (toChannels == resampleChannels) {
            fifo.add(resampled, 0, frames * toChannels);
            return;
        }
        // mono to stereo: the same sample on every output channel
        widened = ensure(widened, frames * toChannels);
        for (int f = 0; f < frames; f++) {
            short s = resampled[f];
            for (int c = 0; c < toChannels; c++) {
                widened[f * toChannels + c] = s;
            }
        }
        fifo.add(widened, 0, frames * toChannels);
    }

    private static void downmix(short[] in, int offset, int frames, int channels, short[] out) {
        // averaging keeps both sides of a stereo recording; dropping one could lose a voice
        for (int f = 0; f < frames; f++) {
            int sum = 0;
            int base = offset + f * channels;
            for (int c = 0; c < channels; c++) {
                sum += in[base + c];
            }
            out[f] = (short) (sum / channels);
        }
    }

    private static short[] ensure(short[] array, int length) {
        return array.length >= length ? array : new short[length];
    }
}
