package dev.tip.testing.netsim;

/**
 * One generated voice trace: what the sender sent and what arrived when. Arrays are shared, not
 * copied: treat them as read-only. Immutable by convention; thread-safe once published.
 *
 * @param sampleRate the sender's samples per second
 * @param samplesPerFrame samples per packet (one packet per frame)
 * @param sent number of packets sent
 * @param sendNanos per sent packet: send time on the receiver's clock
 * @param delayNanos per sent packet: one-way delay of the first copy, or -1 if lost
 * @param seq per sent packet: sequence number (16 bits)
 * @param ts per sent packet: timestamp (32 bits)
 * @param marker per sent packet: first packet of a talk spurt
 * @param arrivalPacket per arrival, in arrival order: index of the sent packet (duplicates repeat)
 * @param arrivalNanos per arrival, in arrival order: arrival time
 * @param durationNanos how long the sender ran
 */
public record Trace(
        int sampleRate,
        int samplesPerFrame,
        int sent,
        long[] sendNanos,
        long[] delayNanos,
        int[] seq,
        long[] ts,
        boolean[] marker,
        int[] arrivalPacket,
        long[] arrivalNanos,
        long durationNanos) {

    /**
     * Returns the number of arrivals, duplicates included.
     *
     * @return arrivals
     */
    public int arrivals() {
        return arrivalPacket.length;
    }

    /**
     * Returns the number of sent packets that never arrived.
     *
     * @return network losses
     */
    public int networkLost() {
        int n = 0;
        for (long d : delayNanos) {
            if (d < 0) {
                n++;
            }
        }
        return n;
    }
}
