package dev.tip.server.internal;

import dev.tip.core.protocol.ProtocolLimits;
import dev.tip.server.NicknamePolicy;
import java.time.Clock;

/**
 * What the control loop needs from the server's configuration. Immutable.
 *
 * @param maxUsers most users at once; session ids are 0..maxUsers-1
 * @param maxPendingConnections most connections that have not sent a valid nickname yet
 * @param nicknamePolicy decides which nicknames are accepted
 * @param handshakeTimeoutMillis time a connection has to send its nickname
 * @param limits the control decoder's input limits
 * @param outboundQueueBytes most bytes queued for one connection
 * @param writeTimeoutMillis longest time queued bytes may wait for the peer to read
 * @param lingerMillis how long a closing connection gets to receive its last message
 * @param controlSendBufferBytes SO_SNDBUF of control connections, 0 for the system default
 * @param clock time source for deadlines
 */
public record Settings(
        int maxUsers,
        int maxPendingConnections,
        NicknamePolicy nicknamePolicy,
        long handshakeTimeoutMillis,
        ProtocolLimits limits,
        int outboundQueueBytes,
        long writeTimeoutMillis,
        long lingerMillis,
        int controlSendBufferBytes,
        Clock clock) {}
