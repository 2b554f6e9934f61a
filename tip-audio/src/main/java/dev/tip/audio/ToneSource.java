package dev.tip.audio;

import dev.tip.core.audio.AudioSource;
import dev.tip.core.voice.AudioFormat;
import java.util.Objects;

/**
 * A source of a steady sine tone that never ends, continuous in phase from one frame to the next;
 * the caller paces it. Confined to one thread.
 *
 * <pre>{@code
 * AudioSource a440 = new ToneSource(AudioFormat.ORIGINAL, 440.0, ToneSource.DEFAULT_AMPLITUDE);
 * }</pre>
 */
public final class ToneSource implements AudioSource {
    /** Default amplitude: half of full scale (about -6 dBFS), loud and far from clipping. */
    public static final double DEFAULT_AMPLITUDE = 0.5;

    private final AudioFormat format;
    private final double frequencyHz;
    private final double amplitude;
    private final double step; // phase advance per sample, in cycles
    private double phase; // 0 .. 1, in cycles

    /**
     * Creates a tone source.
     *
     * @param format the format of the frames (every channel carries the same tone)
     * @param frequencyHz the tone's frequency, above 0 and below half the sample rate
     * @param amplitude peak amplitude as a fraction of full scale, 0..1
     */
    public ToneSource(AudioFormat format, double frequencyHz, double amplitude) {
        this.format = Objects.requireNonNull(format, "format");
        if (!(frequencyHz > 0 && frequencyHz < format.sampleRate() / 2.0)) {
            throw new IllegalArgumentException("frequencyHz must be above 0 and below " + format.sampleRate() / 2.0
                    + " (half the sample rate), was " + frequencyHz);
        }
        if (!(amplitude >= 0 && amplitude <= 1)) {
            throw new IllegalArgumentException("amplitude must be 0..1, was " + amplitude);
        }
        this.frequencyHz = frequencyHz;
        this.amplitude = amplitude;
        this.step = frequencyHz / format.sampleRate();
    }

    /**
     * Returns the tone's frequency.
     *
     * @return frequency in Hz
     */
    public double frequencyHz() {
        return frequencyHz;
    }

    @Override
    public AudioFormat format() {
        return format;
    }

    @Override
    public boolean read(short[] frame) {
        int channels = format.channels();
        double scale = amplitude * Short.MAX_VALUE;
        int i = 0;
        for (int s = 0; s < format.samplesPerFrame(); s++) {
            short v = (short) Math.round(scale * Math.sin(2 * Math.PI * phase));
            for (int c = 0; c < channels; c++) {
                frame[i++] = v;
            }
            phase += step;
            if (phase >= 1) {
                phase -= 1; // keeps precision over hours of tone
            }
        }
        return true;
    }

    @Override
    public String toString() {
        return "ToneSource[" + frequencyHz + " Hz, " + format + "]";
    }
}
