package dev.tip.core;

/**
 * A snapshot of a client's voice counters since it connected. Immutable and thread-safe.
 *
 * @param framesCaptured frames read from the audio source (muted ones included)
 * @param framesSent voice datagrams sent to the server
 * @param framesReceived voice datagrams received from the server (the join probe of 1024
 *     {@code 'a'} bytes that original clients send is not counted)
 * @param framesPlayed received frames written to the audio sink
 * @param framesDropped received frames thrown away because the playout queue was full (the
 *     oldest goes, to cap the delay) or because there is no sink
 * @param framesSilence frames of silence written to the sink because nothing had arrived
 * @param framesLost frames known lost in the network, or -1 when the dialect cannot tell (the
 *     original dialect has no sequence numbers)
 */
public record ClientStatistics(
        long framesCaptured,
        long framesSent,
        long framesReceived,
        long framesPlayed,
        long framesDropped,
        long framesSilence,
        long framesLost) {
}
