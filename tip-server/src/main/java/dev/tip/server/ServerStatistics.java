package dev.tip.server;

/**
 * Counters of a running server, read at one moment (each counter is exact; the set is not one
 * atomic snapshot). Counts since start. A relayed copy is counted before it is sent, so once a
 * recipient has a copy, {@code datagramsRelayed} includes it. Also the JMX view: each component is
 * an attribute of the server's MBean, named as the accessor, capitalized. Immutable and thread-safe.
 *
 * @param users users connected now (nickname accepted)
 * @param connectionsAccepted TCP connections accepted
 * @param connectionsRefused connections refused (server full, or too many unfinished handshakes)
 * @param datagramsReceived UDP datagrams received, from anyone
 * @param bytesReceived UDP payload bytes received
 * @param datagramsRelayed datagram copies sent to recipients (a copy the socket refuses is counted
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
 *     address other than the one learned from that member's HELLO (spoofed, or sent before HELLO)
 * @param voiceAddressesLearned TIP/2 voice addresses learned from a HELLO or KEEPALIVE, first
 *     bindings and moves (NAT rebinding) alike
 * @param helloAcksSent HELLO_ACK datagrams sent in answer to valid HELLOs
 * @param controlMessagesReceived control messages decoded from clients
 * @param controlMessagesSent control messages queued to clients
 * @param protocolErrors control streams that broke the protocol (each closed that connection)
 * @param relayAllocatedBytes bytes the relay thread has allocated on the heap since start, or -1
 *     where the JVM does not measure it; flat while voice flows when the relay allocates nothing
 *     per datagram
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
        long voiceAddressesLearned,
        long helloAcksSent,
        long controlMessagesReceived,
        long controlMessagesSent,
        long protocolErrors,
        long relayAllocatedBytes) {}
