package dev.tip.core.internal.jitter;

/**
 * Numbers the frames of a stream without sequence numbers (the original dialect) in arrival
 * order. A pause in arrivals longer than four frames starts a new talk spurt whose timestamp
 * advances by the frames the pause lasted; otherwise each frame follows the last by one frame.
 * A result packs the sequence number, the marker and the timestamp into one {@code long} so that
 * numbering allocates nothing. Not thread-safe: confined to the engine's caller.
 */
final class UnsequencedNumbering {

    /** A pause longer than this many frames starts a talk spurt. */
    static final int PAUSE_FRAMES = 4;

    private final long frameNanos;
    private final int spf;
    private long count;
    private long lastArrival;
    private long tsFrames;

    /**
     * Creates a numbering that has seen no frame.
     *
     * @param frameNanos the duration of a frame
     * @param samplesPerFrame timestamp units per frame
     */
    UnsequencedNumbering(long frameNanos, int samplesPerFrame) {
        this.frameNanos = frameNanos;
        this.spf = samplesPerFrame;
    }

    /**
     * Numbers the next frame.
     *
     * @param arrivalNanos its arrival time
     * @return the packed sequence number, marker and timestamp; decode with {@link #seq(long)},
     *     {@link #marker(long)}, {@link #ts(long)}
     */
    long next(long arrivalNanos) {
        boolean spurt = count == 0 || arrivalNanos - lastArrival > PAUSE_FRAMES * frameNanos;
        long frameIndex;
        if (count == 0) {
            frameIndex = 0;
        } else if (spurt) {
            frameIndex = tsFrames + Math.max(1, Math.round((arrivalNanos - lastArrival) / (double) frameNanos));
        } else {
            frameIndex = tsFrames + 1;
        }
        tsFrames = frameIndex;
        lastArrival = arrivalNanos;
        long seq = count++ & 0xFFFF;
        long ts = (frameIndex * spf) & 0xFFFF_FFFFL;
        return (ts << 17) | (spurt ? 1L << 16 : 0) | seq;
    }

    /**
     * Extracts the sequence number of a result of {@link #next(long)}.
     *
     * @param numbered the result
     * @return the sequence number, 0..65535
     */
    static int seq(long numbered) {
        return (int) (numbered & 0xFFFF);
    }

    /**
     * Extracts the marker of a result of {@link #next(long)}.
     *
     * @param numbered the result
     * @return true for the first frame of a talk spurt
     */
    static boolean marker(long numbered) {
        return (numbered & (1L << 16)) != 0;
    }

    /**
     * Extracts the timestamp of a result of {@link #next(long)}.
     *
     * @param numbered the result
     * @return the timestamp, 0..2^32-1
     */
    static long ts(long numbered) {
        return numbered >>> 17;
    }
}
