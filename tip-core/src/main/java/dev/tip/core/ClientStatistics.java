package dev.tip.core;

/**
 * A snapshot of a client's voice counters since it connected. Immutable and thread-safe.
 *
 * @param framesCaptured frames read from the audio source (muted ones included)
 * @param framesSent voice datagrams sent to the server
 * @param framesReceived voice datagrams received from the server (the join probe of 1024
 *     {@code 'a'} bytes that original clients send is not counted, nor TIP/2 control datagrams)
 * @param framesPlayed frames written to the audio sink that carried received (or, in TIP/2,
 *     concealed) audio
 * @param framesDropped received frames thrown away because the playout queue was full (the
 *     oldest goes, to cap the delay) or because there is no sink
 * @param framesSilence frames of silence written to the sink because nothing had arrived
 * @param framesLost frames known lost in the network (their packet had not arrived at their
 *     playout time), summed over the speakers' jitter buffers; -1 when the dialect cannot tell
 *     (the original dialect has no sequence numbers)
 * @param framesLate packets that arrived after their playout time and were dropped, summed over
 *     the speakers' jitter buffers; -1 in the original dialect
 * @param framesConcealed frames filled by loss concealment, summed over the speakers' jitter
 *     buffers; 0 in the original dialect
 * @param datagramsRejected TIP/2 datagrams dropped unplayed: malformed, of another version, of an
 *     unknown payload type, or from a sender not in the roster; with encrypted voice also every
 *     datagram that does not open under the session's key (forged, tampered with, truncated, or
 *     plaintext) and every replayed one
 * @param voiceBytesSent UDP payload bytes of voice sent (TIP/2 header included, and with encrypted
 *     voice the packet number and tag), for the bitrate
 *     on the wire; HELLO and KEEPALIVE not included
 * @param codec the codec this client sends in: {@code "pcm"}, or a negotiated one such as
 *     {@code "opus"}
 * @param bitrate the codec's target bits per second, or 0 for PCM
 * @param playoutDelayMillis TIP/2: the jitter buffers' current delay, the largest over the speakers
 *     heard (what a listener waits for the slowest one), in milliseconds; -1 before any speaker and
 *     in the original dialect
 * @param voiceTransport the path voice takes now: UDP, or TCP while it goes through the control
 *     connection (TIP/2, docs/protocol.md "Voice over the control connection")
 * @param transportSwitches how often the voice changed its path since the session began
 * @param tunnelDatagramsDropped datagrams to send through the control connection that were dropped,
 *     oldest first, because the connection did not take them fast enough
 * @param framesRebuilt TIP/2 codec voice: lost packets the decoders rebuilt in time to be played,
 *     from the next packet's in-band FEC (done once this client has reported loss)
 * @param lossReportedPercent TIP/2: the share of codec packets lost from the speakers heard, as
 *     this client last reported it to the server (docs/protocol.md, "Loss feedback")
 * @param lossProtectionPercent TIP/2: the loss the server asked this client's encoder to protect
 *     against (the worst its listeners report); above 0, Opus carries in-band FEC
 */
public record ClientStatistics(
        long framesCaptured,
        long framesSent,
        long framesReceived,
        long framesPlayed,
        long framesDropped,
        long framesSilence,
        long framesLost,
        long framesLate,
        long framesConcealed,
        long datagramsRejected,
        long voiceBytesSent,
        String codec,
        int bitrate,
        long playoutDelayMillis,
        VoiceTransport voiceTransport,
        long transportSwitches,
        long tunnelDatagramsDropped,
        long framesRebuilt,
        int lossReportedPercent,
        int lossProtectionPercent) {}
