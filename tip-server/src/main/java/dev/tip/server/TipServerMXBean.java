package dev.tip.server;

/**
 * The JMX view of a running {@link TipServer}, registered as
 * {@code dev.tip.server:type=TipServer,port=PORT}: the counters of {@link ServerStatistics} as
 * attributes, the roster, and kick as an operation. Thread-safe.
 */
public interface TipServerMXBean {

    /**
     * Returns the TCP and UDP port.
     *
     * @return the port
     */
    int getPort();

    /**
     * Returns the users, one {@code "id name"} per user.
     *
     * @return the roster
     */
    String[] getRoster();

    /**
     * Returns the users connected now (see {@link ServerStatistics}).
     *
     * @return the count
     */
    int getUsers();

    /**
     * Returns the TCP connections accepted (see {@link ServerStatistics}).
     *
     * @return the count
     */
    long getConnectionsAccepted();

    /**
     * Returns the connections refused (see {@link ServerStatistics}).
     *
     * @return the count
     */
    long getConnectionsRefused();

    /**
     * Returns the UDP datagrams received (see {@link ServerStatistics}).
     *
     * @return the count
     */
    long getDatagramsReceived();

    /**
     * Returns the UDP payload bytes received (see {@link ServerStatistics}).
     *
     * @return the count
     */
    long getBytesReceived();

    /**
     * Returns the datagram copies sent (see {@link ServerStatistics}).
     *
     * @return the count
     */
    long getDatagramsRelayed();

    /**
     * Returns the payload bytes sent (see {@link ServerStatistics}).
     *
     * @return the count
     */
    long getBytesRelayed();

    /**
     * Returns the datagrams from unknown addresses dropped (see {@link ServerStatistics}).
     *
     * @return the count
     */
    long getDroppedUnknownSender();

    /**
     * Returns the greeting datagrams dropped (see {@link ServerStatistics}).
     *
     * @return the count
     */
    long getDroppedProbe();

    /**
     * Returns the oversized datagrams dropped (see {@link ServerStatistics}).
     *
     * @return the count
     */
    long getDroppedTooLong();

    /**
     * Returns the copies the socket refused (see {@link ServerStatistics}).
     *
     * @return the count
     */
    long getDroppedSendFailed();

    /**
     * Returns the malformed TIP/2 datagrams dropped (see {@link ServerStatistics}).
     *
     * @return the count
     */
    long getDroppedMalformed();

    /**
     * Returns the HELLO and KEEPALIVE datagrams dropped for a wrong token (see {@link ServerStatistics}).
     *
     * @return the count
     */
    long getDroppedBadToken();

    /**
     * Returns the TIP/2 datagrams dropped for a wrong session id (see {@link ServerStatistics}).
     *
     * @return the count
     */
    long getDroppedWrongSession();

    /**
     * Returns the TIP/2 voice dropped for coming from an unproved address (see {@link ServerStatistics}).
     *
     * @return the count
     */
    long getDroppedWrongAddress();

    /**
     * Returns the TIP/2 voice addresses learned or moved (see {@link ServerStatistics}).
     *
     * @return the count
     */
    long getVoiceAddressesLearned();

    /**
     * Returns the HELLO_ACK datagrams sent (see {@link ServerStatistics}).
     *
     * @return the count
     */
    long getHelloAcksSent();

    /**
     * Returns the control messages received (see {@link ServerStatistics}).
     *
     * @return the count
     */
    long getControlMessagesReceived();

    /**
     * Returns the control messages sent (see {@link ServerStatistics}).
     *
     * @return the count
     */
    long getControlMessagesSent();

    /**
     * Returns the protocol errors (see {@link ServerStatistics}).
     *
     * @return the count
     */
    long getProtocolErrors();

    /**
     * Returns the bytes allocated by the relay thread, or -1 (see {@link ServerStatistics}).
     *
     * @return the count
     */
    long getRelayAllocatedBytes();

    /**
     * Kicks a user: DISCONNECT with the reason, then the connection is closed.
     *
     * @param id the session id
     * @param reason the REASON sent with DISCONNECT
     * @return true if such a user was connected
     */
    boolean kick(int id, String reason);
}
