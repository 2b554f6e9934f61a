package dev.tip.server.internal;

/**
 * One member's voice stream counters, written by the relay thread for each datagram it accepts
 * (no allocation): packets, bytes, sequence gaps (lost), datagrams older than the highest sequence
 * seen (late; one that fills a gap takes it back from lost), and the RFC 3550 interarrival jitter
 * from the TIP/2 timestamps (20 000 samples a second) against the arrival clock. Read only through
 * a snapshot taken on the relay thread.
 */
final class StreamCounters {

    /** The room's samples per second, the unit of TIP/2 timestamps. */
    private static final double SAMPLES_PER_NANO = 20_000 / 1e9;

    final String codec;
    long packets;
    long bytes;
    long lost;
    long late;
    /** Jitter in samples, as RFC 3550 keeps it. */
    double jitter;

    private boolean started;
    private int highest;
    private long lastTransit;

    StreamCounters(String codec) {
        this.codec = codec;
    }

    /** An original member's datagram: no sequence, no timestamp. */
    void plain(int bytes) {
        packets++;
        this.bytes += bytes;
    }

    /**
     * A TIP/2 datagram.
     *
     * @param sequence its 16-bit sequence number
     * @param timestamp its 32-bit timestamp, samples
     * @param nowNanos the arrival time
     * @param bytes its payload bytes
     */
    void tip2(int sequence, long timestamp, long nowNanos, int bytes) {
        packets++;
        this.bytes += bytes;
        long transit = (long) (nowNanos * SAMPLES_PER_NANO) - timestamp;
        if (!started) {
            started = true;
            highest = sequence;
            lastTransit = transit;
            return;
        }
        int ahead = (sequence - highest) & 0xFFFF;
        if (ahead == 0) {
            return;
        }
        if (ahead < 0x8000) {
            lost += ahead - 1;
            highest = sequence;
            long d = Math.abs(transit - lastTransit);
            lastTransit = transit;
            jitter += (d - jitter) / 16.0;
        } else {
            late++;
            if (lost > 0) {
                lost--;
            }
        }
    }

    double jitterMillis() {
        return jitter / 20.0;
    }
}
