package dev.tip.audio.internal;

/**
 * Converts fixed-size packets of mono samples between two rates, one packet in, one packet out,
 * every call: a {@link Resampler} whose output (which lags by its filter's lookahead and comes in
 * chunks of varying size) goes through a small FIFO primed with enough silence that every call can
 * take a whole packet. The priming is the only delay it adds (about 1.5 ms at 20 and 48 kHz).
 * Confined to one thread; allocates nothing after construction.
 */
public final class PacketResampler {
    private final Resampler resampler;
    private final int inSamples;
    private final int outSamples;
    private final short[] scratch;
    private final short[] fifo;
    private int head;
    private int size;

    /**
     * Creates a converter.
     *
     * @param fromRate input rate in Hz
     * @param toRate output rate in Hz
     * @param inSamples samples per input packet
     * @param outSamples samples per output packet: {@code inSamples * toRate / fromRate} exactly
     */
    public PacketResampler(int fromRate, int toRate, int inSamples, int outSamples) {
        if ((long) inSamples * toRate != (long) outSamples * fromRate) {
            throw new IllegalArgumentException(inSamples + " samples at " + fromRate + " Hz are not " + outSamples
                    + " samples at " + toRate + " Hz");
        }
        this.resampler = new Resampler(fromRate, toRate, 1);
        this.inSamples = inSamples;
        this.outSamples = outSamples;
        this.scratch = new short[resampler.maxOutputFrames(inSamples)];
        int prime = (int) Math.ceil((double) resampler.lookahead() * toRate / fromRate) + 2;
        this.fifo = new short[prime + 2 * outSamples + scratch.length];
        this.size = prime; // silence
    }

    /**
     * Converts one packet.
     *
     * @param in {@code inSamples} samples from {@code offset}
     * @param offset where they start
     * @param out where {@code outSamples} samples go, from {@code outOffset}
     * @param outOffset where they go
     */
    public void convert(short[] in, int offset, short[] out, int outOffset) {
        int n = resampler.push(in, offset, inSamples, scratch, 0);
        for (int i = 0; i < n; i++) {
            fifo[(head + size + i) % fifo.length] = scratch[i];
        }
        size += n;
        int take = Math.min(outSamples, size);
        for (int i = 0; i < take; i++) {
            out[outOffset + i] = fifo[(head + i) % fifo.length];
        }
        // never short after the priming; zeros are the safe answer if the filter ever lags more
        java.util.Arrays.fill(out, outOffset + take, outOffset + outSamples, (short) 0);
        head = (head + take) % fifo.length;
        size -= take;
    }
}
