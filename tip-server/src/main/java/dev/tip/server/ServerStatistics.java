package dev.tip.server;

/**
 * Counters of a running server, read at one moment (each counter is exact; the set is not one
 * atomic snapshot). Counts since start. Immutable and thread-safe.
 *
 * @param users users connected now (nickname accepted)
 * @param connectionsAccepted TCP connections accepted
 * @param connectionsRefused connections refused (server full, or too many unfinished handshakes)
 * @param datagramsReceived UDP datagrams received, from anyone
 * @param bytesReceived UDP payload bytes received
 * @param datagramsRelayed datagram copies sent to recipients
 * @param bytesRelayed payload bytes sent to recipients
 * @param droppedUnknownSender datagrams dropped because no user has their source address
 * @param droppedProbe datagrams dropped because they were the original client's 1024-byte
 *     all-{@code a} greeting, which is not voice
 * @param droppedTooLong datagrams dropped because they exceed the largest datagram allowed
 * @param droppedSendFailed copies not sent because the socket refused them (buffer full, error)
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
        long controlMessagesReceived,
        long controlMessagesSent,
        long protocolErrors,
        long relayAllocatedBytes) {
}
