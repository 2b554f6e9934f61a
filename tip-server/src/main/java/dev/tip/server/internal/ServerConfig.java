package dev.tip.server.internal;

import dev.tip.core.audio.VoiceCodec;
import dev.tip.core.protocol.ProtocolLimits;
import dev.tip.server.NicknamePolicy;
import dev.tip.server.ServerListener;
import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadFactory;

/**
 * A server's configuration, produced once by {@code TipServer.Builder} (whose setters check each
 * value and name the bad parameter). Immutable; the referenced listener, executor, clock and
 * thread factory are the caller's.
 *
 * @param port TCP and UDP port, 0 for an ephemeral one
 * @param bindAddress local address, null for all IPv4 interfaces
 * @param maxUsers most users at once; session ids are 0..maxUsers-1
 * @param maxPendingConnections most connections that have not sent a valid nickname yet
 * @param maxPendingConnectionsPerAddress most such connections from one IP address
 * @param maxUsersPerAddress most users with the same IP address
 * @param maxRenamesPerMinute renames one member may make per minute (and at once)
 * @param maxClientPortChangesPerMinute CLIENT_PORT changes one member may make per minute (and at once)
 * @param maxVoiceDatagramsPerSecond datagrams relayed per second from one member (and at once)
 * @param nicknamePolicy decides which nicknames are accepted
 * @param handshakeTimeout time a connection has to send its nickname
 * @param maxControlMessageBytes longest control message from a client
 * @param outboundQueueBytes most bytes queued for one connection
 * @param writeTimeout longest time queued bytes may wait for the peer to read
 * @param linger how long a closing connection gets to receive its last message
 * @param maxDatagramBytes longest voice payload relayed
 * @param udpBufferBytes SO_RCVBUF and SO_SNDBUF of the UDP sockets, 0 for the system's
 * @param controlSendBufferBytes SO_SNDBUF of control connections, 0 for the system's
 * @param listener who hears about users
 * @param listenerExecutor where listener callbacks run, null for a thread of the server's own
 * @param clock time source for deadlines and talk spurts
 * @param threadFactory makes the server's threads
 * @param jmx whether to register the MBean
 * @param mixOriginalListeners whether original listeners get one mixed stream ({@code Mixer})
 * @param voiceCodecs the codecs TIP/2 senders may use, best first
 * @param voiceBitrate the most bits per second of a TIP/2 sender's codec
 * @param requireEncryption whether only TIP/2 clients that encrypt voice (KEY_SHARE) may join
 * @param resumeWindow how long a TIP/2 member whose connection broke may resume its session;
 *     zero: no resumption
 * @param rooms the rooms, bans and join policy
 */
public record ServerConfig(
        int port,
        InetAddress bindAddress,
        int maxUsers,
        int maxPendingConnections,
        int maxPendingConnectionsPerAddress,
        int maxUsersPerAddress,
        int maxRenamesPerMinute,
        int maxClientPortChangesPerMinute,
        int maxVoiceDatagramsPerSecond,
        NicknamePolicy nicknamePolicy,
        Duration handshakeTimeout,
        int maxControlMessageBytes,
        int outboundQueueBytes,
        Duration writeTimeout,
        Duration linger,
        int maxDatagramBytes,
        int udpBufferBytes,
        int controlSendBufferBytes,
        ServerListener listener,
        Executor listenerExecutor,
        Clock clock,
        ThreadFactory threadFactory,
        boolean jmx,
        boolean mixOriginalListeners,
        List<VoiceCodec> voiceCodecs,
        int voiceBitrate,
        boolean requireEncryption,
        Duration resumeWindow,
        RoomsConfig rooms) {

    /** Rejects null where a value is required. */
    public ServerConfig {
        Objects.requireNonNull(nicknamePolicy, "nicknamePolicy");
        Objects.requireNonNull(handshakeTimeout, "handshakeTimeout");
        Objects.requireNonNull(writeTimeout, "writeTimeout");
        Objects.requireNonNull(linger, "linger");
        Objects.requireNonNull(listener, "listener");
        Objects.requireNonNull(clock, "clock");
        Objects.requireNonNull(threadFactory, "threadFactory");
        voiceCodecs = List.copyOf(voiceCodecs);
        Objects.requireNonNull(rooms, "rooms");
    }

    /**
     * The codec of this name, if the server has it.
     *
     * @param name a codec name from the handshake
     * @return the codec, or null (PCM, or one the server lacks)
     */
    public VoiceCodec voiceCodec(String name) {
        for (VoiceCodec c : voiceCodecs) {
            if (c.name().equals(name)) {
                return c;
            }
        }
        return null;
    }

    /**
     * Returns the control decoder's limits: the message size, and strings no longer than it.
     *
     * @return the limits
     */
    public ProtocolLimits limits() {
        return ProtocolLimits.DEFAULT
                .withMaxMessageBytes(maxControlMessageBytes)
                .withMaxStringChars(Math.min(ProtocolLimits.DEFAULT_MAX_STRING_CHARS, maxControlMessageBytes));
    }
}
