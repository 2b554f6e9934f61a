package dev.tip.server;

/**
 * Counters of a running server, read at one moment (each counter is exact; the set is not one
 * atomic snapshot). Counts since start. A relayed copy is counted before it is sent, so once a
 * recipient has a copy, {@code datagramsRelayed} includes it. Also the JMX view: each component is
 * an attribute of the server's MBean, named as the accessor, capitalized. Immutable and thread-safe.
 *
 * @param users users connected now (nickname accepted)
 * @param connectionsAccepted TCP connections accepted
 * @param connectionsRefused connections refused (server full, too many unfinished handshakes, or a
 *     client that does not encrypt its voice on a server that requires it)
 * @param datagramsReceived UDP datagrams received, from anyone
 * @param bytesReceived UDP payload bytes received
 * @param datagramsRelayed datagram copies sent to recipients, mixed frames included (a copy the socket refuses is counted
 *     here until the refusal, then in {@code droppedSendFailed} instead)
 * @param bytesRelayed payload bytes sent to recipients
 * @param droppedUnknownSender datagrams dropped because no user has their source address
 * @param droppedProbe datagrams dropped because they were the original client's 1024-byte
 *     all-{@code a} greeting, which is not voice
 * @param droppedTooLong datagrams dropped because they exceed the largest datagram allowed
 * @param droppedSendFailed copies not sent because the socket refused them (buffer full, error)
 * @param droppedMalformed datagrams dropped because they came from a TIP/2 member's voice address
 *     but are not a valid TIP/2 datagram a client sends (bad version, reserved bits, unknown
 *     payload type, wrong length, a HELLO_ACK), or are empty
 * @param droppedBadToken HELLO or KEEPALIVE datagrams dropped because their token is not the one
 *     the server gave that session
 * @param droppedWrongSession TIP/2 datagrams dropped because their sender session id is not a
 *     TIP/2 member, or (voice) not the id of the member whose address sent it
 * @param droppedWrongAddress TIP/2 voice dropped because it names a TIP/2 member but comes from an
 *     address other than the one learned from that member's HELLO (spoofed, or sent before HELLO);
 *     also HELLO or KEEPALIVE datagrams that would have moved the address of another member heard
 *     from it within the last 15 s (one member's proof never unbinds another's live address)
 * @param droppedForged sealed TIP/2 datagrams dropped because they do not authenticate under the
 *     sender's key (forged, tampered with, truncated), and plaintext datagrams naming a member
 *     that encrypts; never relayed, never answered
 * @param droppedReplayed sealed TIP/2 datagrams dropped because their packet number was accepted
 *     before or is older than the replay window (256): replays of captured datagrams, from any
 *     address, which therefore never move anyone's address
 * @param voiceAddressesLearned TIP/2 voice addresses learned from a HELLO or KEEPALIVE, first
 *     bindings and moves (NAT rebinding) alike
 * @param helloAcksSent HELLO_ACK datagrams sent in answer to valid HELLOs
 * @param controlMessagesReceived control messages decoded from clients
 * @param controlMessagesSent control messages queued to clients
 * @param protocolErrors control streams that broke the protocol (each closed that connection)
 * @param droppedRateLimited datagrams dropped because their sender sent more than its limit per
 *     second ({@code TipServer.Builder.maxVoiceDatagramsPerSecond}), never relayed
 * @param voiceSocketFailures times a member's own UDP socket could not be opened (descriptors
 *     exhausted, say); that member is served through the main socket until a retry succeeds
 * @param pendingConnectionsEvicted connections that had not joined, closed (DISCONNECT "Server
 *     busy") to make room for a newcomer, because their address or the server had as many such
 *     connections as allowed
 * @param renamesUnchanged SEND_NICKNAME from members to the name they had: nothing done
 * @param renamesLimited renames beyond a member's limit per minute: held back (the latest wins,
 *     later) or, if the name was taken meanwhile, dropped
 * @param rostersReplaced rosters not sent because a newer one replaced them in a slow reader's
 *     queue before a byte of them went out
 * @param clientPortChangesLimited CLIENT_PORT changes beyond a member's limit per minute: held
 *     back, the latest one applied later
 * @param clientPortsRefused CLIENT_PORT messages ignored because they named the server's own
 *     address or another member's voice address
 * @param logLinesSuppressed log lines about one address's bad input not written because that
 *     address had used its log budget
 * @param mixedFramesSent mixed datagrams sent to original listeners (one 1024-byte frame of
 *     everyone else talking, per listener per 25.6 ms while someone talks); also counted in
 *     {@code datagramsRelayed} and {@code bytesRelayed}
 * @param mixFramesDroppedLate voice frames left out of the mix because they came after a later
 *     frame of the same speaker (reordered or duplicated)
 * @param mixFramesDroppedOverflow voice frames left out of the mix because their speaker's queue
 *     on the server was full (a sender faster than the server's clock, or a burst): the oldest
 *     waiting frame is dropped
 * @param droppedMuted voice datagrams not relayed because the server mutes their sender
 * @param rosterDeltasSent ROSTER_DELTA messages sent (one change each, to one TIP/2 member)
 * @param rostersCoalesced full rosters not sent to a member because a later one replaced them
 *     within the coalescing interval (original members, and TIP/2 members without deltas)
 * @param relayAllocatedBytes bytes the relay thread has allocated on the heap since start, or -1
 *     where the JVM does not measure it; flat while voice flows when the relay allocates nothing
 *     per datagram
 * @param tunnelledMembers TIP/2 members whose voice goes through their control connection now
 *     (their last voice datagram or KEEPALIVE came that way; docs/protocol.md, "Voice over the
 *     control connection")
 * @param tunnelDatagramsIn datagrams received in tunnel frames (each also counted in
 *     {@code datagramsReceived} once routed)
 * @param tunnelDatagramsOut copies queued for tunnelled members (each also counted in
 *     {@code datagramsRelayed})
 * @param tunnelDroppedOverflow copies for tunnelled members dropped, oldest first, because the
 *     member's TCP connection did not take them fast enough (a slow reader)
 * @param tunnelDroppedInbound datagrams from tunnel frames dropped because the relay thread had
 *     not caught up with the ones before (its inbound queue was full)
 * @param sessionsResumed TIP/2 sessions taken back by a new connection within the resume window
 *     (docs/protocol.md, "Resuming a session")
 * @param resumesRefused resume requests refused: unknown or expired session, wrong or replayed
 *     proof
 */
public record ServerStatistics(
        int users,
        long connectionsAccepted,
        long connectionsRefused,
        long datagramsReceived,
        long bytesReceived,
        long datagramsRelayed,
        long bytesRelayed,
        long droppedUnknownSender,
        long droppedProbe,
        long droppedTooLong,
        long droppedSendFailed,
        long droppedMalformed,
        long droppedBadToken,
        long droppedWrongSession,
        long droppedWrongAddress,
        long droppedForged,
        long droppedReplayed,
        long voiceAddressesLearned,
        long helloAcksSent,
        long controlMessagesReceived,
        long controlMessagesSent,
        long protocolErrors,
        long droppedRateLimited,
        long voiceSocketFailures,
        long pendingConnectionsEvicted,
        long renamesUnchanged,
        long renamesLimited,
        long rostersReplaced,
        long clientPortChangesLimited,
        long clientPortsRefused,
        long logLinesSuppressed,
        long mixedFramesSent,
        long mixFramesDroppedLate,
        long mixFramesDroppedOverflow,
        long droppedMuted,
        long rosterDeltasSent,
        long rostersCoalesced,
        long relayAllocatedBytes,
        long tunnelledMembers,
        long tunnelDatagramsIn,
        long tunnelDatagramsOut,
        long tunnelDroppedOverflow,
        long tunnelDroppedInbound,
        long sessionsResumed,
        long resumesRefused) {}
